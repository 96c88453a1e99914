// Forecasting with a window model beyond its horizon: each forecast row goes back into the window.
using LstmService.Engine.Inference;

namespace LstmService.Engine.Tests;

public class WindowedForecastTests
{
    // A "model" of horizon 2 over two columns: the next rows continue each column's last step.
    private static double[][] Continue(IReadOnlyList<double[][]> windows) => [.. windows.Select(w =>
    {
        var (last, before) = (w[^1], w[^2]);
        return new[] { 2 * last[0] - before[0], 2 * last[1] - before[1], 3 * last[0] - 2 * before[0], 3 * last[1] - 2 * before[1] };
    })];

    [Fact]
    public void Forecasts_are_fed_back_as_the_next_rows_of_their_columns()
    {
        double[][] history = [[0, 10], [1, 8], [2, 6]];
        var forecast = WindowedForecast.Run([history], steps: 5, window: 2, horizon: 2, targetColumns: [0, 1], Continue)[0];
        Assert.Equal([3.0, 4, 5, 6, 7], forecast.Select(r => r[0]));
        Assert.Equal([4.0, 2, 0, -2, -4], forecast.Select(r => r[1]));
    }

    [Fact]
    public void Targets_in_another_order_go_back_to_their_own_columns()
    {
        double[][] history = [[0, 10], [1, 8], [2, 6]];
        // The model's outputs are (column 1, column 0): swap Continue's.
        double[][] Swapped(IReadOnlyList<double[][]> w) => [.. Continue(w).Select(o => new[] { o[1], o[0], o[3], o[2] })];
        var forecast = WindowedForecast.Run([history], steps: 3, window: 2, horizon: 2, targetColumns: [1, 0], Swapped)[0];
        Assert.Equal([4.0, 2, 0], forecast.Select(r => r[0]));
        Assert.Equal([3.0, 4, 5], forecast.Select(r => r[1]));
    }

    [Fact]
    public void A_model_with_covariates_forecasts_only_its_horizon_and_a_short_history_is_refused()
    {
        double[][] history = [[0, 10], [1, 8]];
        double[][] FirstOnly(IReadOnlyList<double[][]> w) => [.. w.Select(x => new[] { x[^1][0] + 1 })];
        Assert.Equal(2.0, WindowedForecast.Run([history], 1, 2, 1, [0], FirstOnly)[0][0][0]);
        Assert.Throws<ArgumentException>(() => WindowedForecast.Run([history], 2, 2, 1, [0], FirstOnly));
        Assert.Throws<ArgumentException>(() => WindowedForecast.Run([history], 1, 3, 1, [0], FirstOnly));
    }
}

// The parts around a series model's LSTM: windows relative to their last row in units of the
// series' typical step, a linear autoregression fitted in closed form, and the two composed so
// that what the LSTM learns maps back to the data's units exactly.
using LstmService.Engine.Data;
using LstmService.Engine.Forecasting;

namespace LstmService.Engine.Tests;

public class WindowModelTests
{
    [Fact]
    public void A_window_is_scaled_relative_to_its_last_row_in_units_of_the_training_parts_mean_step()
    {
        // Column 0 steps by ±2 (mean |Δ| 2), column 1 never changes (its step is 1, its own units).
        double[][] training = [[0, 5], [2, 5], [0, 5], [2, 5], [4, 5]];
        var scaling = WindowScaling.Fit(training);
        Assert.Equal([2.0, 1.0], scaling.Steps);

        var (scaled, last) = scaling.Scale([[10, 7], [16, 3]]);
        Assert.Equal([[-3.0, 4.0], [0.0, 0.0]], scaled);
        Assert.Equal(22.0, scaling.Unscale(3, last, 0));
        Assert.Equal(3.0, scaling.ScaleValue(22, last, 0));
    }

    [Fact]
    public void The_linear_part_recovers_an_exact_linear_map_from_the_lags_to_the_targets()
    {
        var rng = new Random(3);
        double[][][] windows = [.. Enumerable.Range(0, 200).Select(_ => Enumerable.Range(0, 4).Select(_ => new[] { rng.NextDouble(), rng.NextDouble() }).ToArray())];
        // Two outputs from the three rows before the last, column 1 only: 0.5·x₀ − 2·x₁ + x₂ + 3, and −x₂ − 1.
        double[][] targets = [.. windows.Select(w => new[] { 0.5 * w[0][1] - 2 * w[1][1] + w[2][1] + 3, -w[2][1] - 1 })];
        var linear = LinearAutoregression.Fit(windows, targets, columns: [1]);

        Assert.Equal(3, linear.Lags);
        double[][] expected = [[0.5, -2, 1], [0, 0, -1]];
        for (int o = 0; o < 2; o++)
            for (int f = 0; f < 3; f++) Assert.Equal(expected[o][f], linear.Weights[o][f], 4);
        Assert.Equal(3.0, linear.Bias[0], 4);
        Assert.Equal(-1.0, linear.Bias[1], 4);
        Assert.Equal(targets[7][0], linear.Predict(windows[7])[0], 4);
    }

    [Fact]
    public void Lags_are_capped_so_that_the_normal_equations_stay_small()
    {
        double[][][] windows = [.. Enumerable.Range(0, 40).Select(i => Enumerable.Range(0, 300).Select(t => new[] { Math.Sin(i + 0.1 * t) }).ToArray())];
        var linear = LinearAutoregression.Fit(windows, [.. windows.Select(w => new[] { w[^1][0] })], [0]);
        Assert.Equal(LinearAutoregression.MaxFeatures, linear.Lags);
    }

    [Fact]
    public void What_the_lstm_learns_maps_back_to_the_targets_in_the_datas_units()
    {
        // Two columns, targets column 1 over a horizon of 2: an "LSTM" that outputs exactly what
        // Apply made of the targets gives the targets back, linear part included.
        var rng = new Random(5);
        double[][] rows = [.. Enumerable.Range(0, 120).Select(t => new[] { 100 + t + rng.NextDouble(), Math.Sin(t / 3.0) * 10 + rng.NextDouble() })];
        var windows = SlidingWindows.Create([rows], window: 6, horizon: 2, targetColumns: [1]);
        var model = WindowModel.Fit([rows], [windows], targetColumns: [1], linear: true);
        Assert.NotNull(model.Linear);

        var residuals = windows.Select(w => model.Apply(w)).ToList();
        // Around passes the windows on in order, all at once.
        var forecast = model.Around(inputs => [.. residuals.Select(r => r.Targets![0])]);
        var outputs = forecast([.. windows.Select(w => w.Inputs)]);
        for (int n = 0; n < windows.Count; n++)
            for (int j = 0; j < 2; j++) Assert.Equal(windows[n].Targets![0][j], outputs[n][j], 9);
    }

    [Fact]
    public void Without_the_linear_part_the_lstm_learns_the_scaled_targets_and_0_is_the_naive_forecast()
    {
        double[][] rows = [.. Enumerable.Range(0, 30).Select(t => new[] { 3.0 * t })];
        var windows = SlidingWindows.Create([rows], window: 4, horizon: 1);
        var model = WindowModel.Fit([rows], [windows], [0], linear: false);
        Assert.Null(model.Linear);
        Assert.All(windows.Select(w => model.Apply(w)), s => Assert.Equal(1.0, s.Targets![0][0], 12)); // one typical step up
        var naive = model.Around(inputs => [.. inputs.Select(_ => new[] { 0.0 })]);
        Assert.Equal(9.0, naive([[[0], [3], [6], [9]]])[0][0]);
    }
}

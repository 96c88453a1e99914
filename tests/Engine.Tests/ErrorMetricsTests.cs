// The forecast error metrics against plain loops written from their definitions.
using LstmService.Engine.Evaluation;

namespace LstmService.Engine.Tests;

public class ErrorMetricsTests
{
    [Fact]
    public void Each_metric_equals_its_definition_computed_by_hand()
    {
        double[] actual = [10, 12, -4, 7.5, 3];
        double[] forecast = [11, 10, -5, 7.5, 0];
        double scale = 1.7;
        var m = ErrorMetrics.Compute(actual, forecast, scale);

        int n = actual.Length;
        double abs = 0, squares = 0, percent = 0, symmetric = 0;
        for (int i = 0; i < n; i++)
        {
            double e = actual[i] - forecast[i];
            abs += Math.Abs(e);
            squares += e * e;
            percent += Math.Abs(e / actual[i]);
            symmetric += 2 * Math.Abs(e) / (Math.Abs(actual[i]) + Math.Abs(forecast[i]));
        }
        Assert.Equal(abs / n, m.Mae!.Value, 12);
        Assert.Equal(Math.Sqrt(squares / n), m.Rmse!.Value, 12);
        Assert.Equal(100 * percent / n, m.Mape!.Value, 10);
        Assert.Equal(100 * symmetric / n, m.Smape!.Value, 10);
        Assert.Equal(abs / n / scale, m.Mase!.Value, 12);
    }

    [Fact]
    public void Mape_is_undefined_with_a_zero_actual_and_mase_without_a_positive_scale()
    {
        var m = ErrorMetrics.Compute([0, 2], [0, 1], scale: 0);
        Assert.Null(m.Mape);
        Assert.Null(m.Mase);
        // sMAPE counts a perfect forecast of 0 as no error: (0 + 2·1/3) / 2.
        Assert.Equal(100 * (2.0 / 3) / 2, m.Smape!.Value, 12);
        Assert.Null(ErrorMetrics.Compute([1], [2], double.NaN).Mase);
    }

    [Fact]
    public void Mismatched_or_empty_inputs_are_refused()
    {
        Assert.Throws<ArgumentException>(() => ErrorMetrics.Compute([], [], 1));
        Assert.Throws<ArgumentException>(() => ErrorMetrics.Compute([1, 2], [1], 1));
    }

    [Fact]
    public void Errors_whose_squares_overflow_still_give_a_finite_rmse()
    {
        var m = ErrorMetrics.Compute([3e200, -1e200], [0, 0], scale: 1);
        Assert.Equal(2e200, m.Mae!.Value, 1e188);
        Assert.Equal(Math.Sqrt(5) * 1e200, m.Rmse!.Value, 1e188); // √((9 + 1)/2) · 1e200
    }
}

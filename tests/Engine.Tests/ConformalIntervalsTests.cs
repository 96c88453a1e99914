// Split-conformal intervals: the half-width is the right order statistic of the calibration
// errors, and on a series with known noise the intervals cover new values as often as promised.
using LstmService.Engine.Evaluation;
using MathNet.Numerics.Distributions;

namespace LstmService.Engine.Tests;

public class ConformalIntervalsTests
{
    [Fact]
    public void The_half_width_is_the_ceil_of_n_plus_1_times_coverage_smallest_error()
    {
        var errors = Enumerable.Range(1, 19).Select(i => (double)i).Reverse().ToList(); // 19 … 1
        var intervals = ConformalIntervals.Fit([[errors]]);
        Assert.Equal(16, intervals.Width(1, 0, 0.8)); // ⌈20 · 0.8⌉ = 16
        Assert.Equal(10, intervals.Width(1, 0, 0.5)); // ⌈20 · 0.5⌉ = 10
        Assert.Equal(19, intervals.Width(1, 0, 0.95)); // ⌈20 · 0.95⌉ = 19
        Assert.Null(intervals.Width(1, 0, 0.96)); // ⌈20 · 0.96⌉ = 20 > 19: unbounded
        Assert.Equal(intervals.Width(1, 0, 0.81), intervals.Width(1, 0, 0.805)); // rounded up to the next hundredth
        Assert.Equal(19, intervals.Residuals[0][0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => intervals.Width(1, 0, 0.999));
    }

    [Theory]
    [InlineData(0.8)]
    [InlineData(0.95)]
    public void On_a_seasonal_series_with_gaussian_noise_intervals_cover_as_often_as_nominal(double coverage)
    {
        // y_t = 10 sin(2πt/24) + ε_t, ε ~ N(0, 1.5²): a forecaster that knows the signal errs by ε alone.
        var noise = new Normal(0, 1.5, new Random(7));
        int n = 6000;
        double Signal(int t) => 10 * Math.Sin(2 * Math.PI * t / 24);
        var rows = Enumerable.Range(0, n).Select(t => new[] { Signal(t) + noise.Sample() }).ToArray();
        var evaluator = new SeriesEvaluator(rows, null, [0], [0], window: 24, horizon: 1, seasonLength: 24);
        // The windows arrive in origin order: the forecast for origin r is the signal at r.
        int next = 0;
        double[][] Oracle(IReadOnlyList<double[][]> windows) => [.. windows.Select(_ => new[] { Signal(next++) })];

        next = 3000;
        var calibration = evaluator.Forecast(3000, 4000, Oracle);
        var intervals = ConformalIntervals.Fit(evaluator.AbsoluteErrors(calibration));
        next = 4000;
        var test = evaluator.AbsoluteErrors(evaluator.Forecast(4000, n, Oracle))[0][0];
        double width = intervals.Width(1, 0, coverage)!.Value;
        double covered = test.Count(e => e <= width) / (double)test.Count;
        Assert.InRange(covered, coverage - 0.05, coverage + 0.05);
        // And the width is the noise's quantile, as it should be for a forecaster whose only error is the noise.
        Assert.Equal(1.5 * Normal.InvCDF(0, 1, (1 + coverage) / 2), width, 0.25);
    }
}

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
        var intervals = ConformalIntervals.Fit([[errors]], floors: [0], lookback: 2);
        Assert.Equal(16, intervals.Width(1, 0, 0.8)); // ⌈20 · 0.8⌉ = 16
        Assert.Equal(10, intervals.Width(1, 0, 0.5)); // ⌈20 · 0.5⌉ = 10
        Assert.Equal(19, intervals.Width(1, 0, 0.95)); // ⌈20 · 0.95⌉ = 19
        Assert.Null(intervals.Width(1, 0, 0.96)); // ⌈20 · 0.96⌉ = 20 > 19: unbounded
        Assert.Equal(intervals.Width(1, 0, 0.81), intervals.Width(1, 0, 0.805)); // rounded up to the next hundredth
        Assert.Equal(19, intervals.Residuals[0][0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => intervals.Width(1, 0, 0.999));
    }

    [Fact]
    public void The_scale_is_the_mean_one_step_change_over_the_lookback_plus_the_floor()
    {
        double[][] rows = [[0, 5], [2, 5], [1, 5], [4, 5], [100, 5]];
        Assert.Equal((1 + 3) / 2.0, ConformalIntervals.Spread(rows, end: 4, column: 0, lookback: 2)); // rows 2, 3: |1−2|, |4−1|
        Assert.Equal((2 + 1 + 3) / 3.0, ConformalIntervals.Spread(rows, end: 4, column: 0, lookback: 5)); // rows 1..3 (row 0 has none before it)
        Assert.Equal(0, ConformalIntervals.Spread(rows, end: 4, column: 1, lookback: 3));
        Assert.Equal(0, ConformalIntervals.Spread(rows, end: 1, column: 0, lookback: 3));
        var intervals = ConformalIntervals.Fit([[[1.0]]], floors: [0.25], lookback: 2);
        Assert.Equal(2.25, intervals.Scale(rows, 4, column: 0, target: 0));
    }

    [Theory]
    [InlineData(0.8)]
    [InlineData(0.95)]
    public void On_a_series_whose_noise_changes_intervals_cover_as_often_as_nominal_in_calm_and_restless_stretches(double coverage)
    {
        // A slow cycle (period 480) with noise of σ 0.5 and σ 3 in alternating stretches of 480 rows:
        // a forecaster that knows the cycle errs by the noise alone, and its one-step changes are mostly noise.
        var noise = new Normal(0, 1, new Random(7));
        int n = 19_200;
        double Signal(int t) => 2 * Math.Sin(2 * Math.PI * t / 480);
        double Sigma(int t) => t / 480 % 2 == 0 ? 0.5 : 3;
        var rows = Enumerable.Range(0, n).Select(t => new[] { Signal(t) + Sigma(t) * noise.Sample() }).ToArray();
        var evaluator = new SeriesEvaluator(rows, null, [0], [0], window: 24, horizon: 1, seasonLength: 1);
        // The windows arrive in origin order: the forecast for origin r is the signal at r.
        int next = 0;
        double[][] Oracle(IReadOnlyList<double[][]> windows) => [.. windows.Select(_ => new[] { Signal(next++) })];

        next = 4800;
        var intervals = evaluator.Calibrate(evaluator.Forecast(4800, 9600, Oracle), lookback: 24);
        next = 9600;
        var test = evaluator.Forecast(9600, n, Oracle);
        var scores = evaluator.AbsoluteErrors(test, intervals)[0][0];
        double q = intervals.Width(1, 0, coverage)!.Value;
        // Overall, and in each kind of stretch (from 24 rows in: the scale then reads only that stretch).
        var covered = test.Origins.Select((r, i) => (r, inside: scores[i] <= q)).ToList();
        Assert.InRange(covered.Average(c => c.inside ? 1.0 : 0), coverage - 0.05, coverage + 0.05);
        foreach (double sigma in new[] { 0.5, 3 })
        {
            var stretch = covered.Where(c => Sigma(c.r) == sigma && c.r % 480 >= 24).ToList();
            Assert.InRange(stretch.Average(c => c.inside ? 1.0 : 0), coverage - 0.05, coverage + 0.05);
        }
    }
}

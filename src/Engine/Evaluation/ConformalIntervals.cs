// Split-conformal prediction intervals (Vovk et al. 2005; Lei et al. 2018), locally weighted: a
// forecast ± q·s, where s is how much the series moved from step to step just before it and q the
// ⌈(n+1)·c⌉-th smallest of n scores |error| / s on data the model did not train on, covers a new
// value with probability at least c, whatever the error distribution, if the scores are
// exchangeable. Dividing by s lets the interval widen in restless stretches and narrow in calm
// ones (measured: docs/dev/forecasting-measurements.md).
namespace LstmService.Engine.Evaluation;

/// <summary>
/// Score quantiles per horizon step and target at coverages 0.50, 0.51, …, 0.99 (null where the
/// calibration scores are too few for that coverage); <see cref="Residuals"/>[step][target] is
/// how many each was fitted on. A forecast's half-width is the quantile times
/// <see cref="Scale"/>: the mean absolute one-step change of the target over the
/// <see cref="Lookback"/> rows before the forecast (the naive forecast's recent error), plus
/// <see cref="Floors"/>[target] (a hundredth of that mean over the calibration forecasts, so a
/// flat stretch still gets an interval).
/// </summary>
public sealed record ConformalIntervals(double?[][][] Widths, int[][] Residuals, double[] Floors, int Lookback)
{
    public const double MinCoverage = 0.5, MaxCoverage = 0.99;
    private const int Levels = 50;

    public int Steps => Widths.Length;

    /// <summary>
    /// The mean of |y_t − y_{t−1}| of <paramref name="column"/> over the rows t among the
    /// <paramref name="lookback"/> before row <paramref name="end"/> that have a row before them
    /// (0 when none has).
    /// </summary>
    public static double Spread(IReadOnlyList<double[]> rows, int end, int column, int lookback)
    {
        int from = Math.Max(1, end - lookback);
        if (from >= end) return 0;
        double sum = 0;
        for (int t = from; t < end; t++) sum += Math.Abs(rows[t][column] - rows[t - 1][column]);
        return sum / (end - from);
    }

    /// <summary>The scale of target <paramref name="target"/> (a row column <paramref name="column"/>) for a forecast after rows [0, <paramref name="end"/>).</summary>
    public double Scale(IReadOnlyList<double[]> rows, int end, int column, int target) => Spread(rows, end, column, Lookback) + Floors[target];

    /// <summary>
    /// From scores [step][target] (absolute errors divided by <see cref="Scale"/> with these
    /// <paramref name="floors"/> and <paramref name="lookback"/>); an empty list (every target
    /// filled in) gives no widths.
    /// </summary>
    public static ConformalIntervals Fit(IReadOnlyList<double>[][] residuals, double[] floors, int lookback)
    {
        var widths = residuals.Select(step => step.Select(r =>
        {
            var sorted = r.Order().ToArray();
            return Enumerable.Range(0, Levels).Select(level =>
            {
                int rank = (int)Math.Ceiling((sorted.Length + 1) * Level(level) - 1e-9);
                return rank <= sorted.Length && double.IsFinite(sorted[rank - 1]) ? sorted[rank - 1] : (double?)null;
            }).ToArray();
        }).ToArray()).ToArray();
        return new ConformalIntervals(widths, [.. residuals.Select(step => step.Select(r => r.Count).ToArray())], floors, lookback);
    }

    /// <summary>
    /// The score quantile (the half-width over <see cref="Scale"/>) for <paramref name="step"/> (1
    /// first) and target <paramref name="target"/> at <paramref name="coverage"/> in [0.5, 0.99],
    /// rounded up to the next hundredth; null when the scores are too few for it.
    /// </summary>
    public double? Width(int step, int target, double coverage)
    {
        if (!(coverage >= MinCoverage && coverage <= MaxCoverage)) throw new ArgumentOutOfRangeException(nameof(coverage), coverage, "The coverage must be in [0.5, 0.99].");
        int level = Math.Min(Levels - 1, (int)Math.Ceiling((coverage - MinCoverage) * 100 - 1e-9));
        return Widths[step - 1][target][level];
    }

    private static double Level(int level) => MinCoverage + level / 100.0;
}

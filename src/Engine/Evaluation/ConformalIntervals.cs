// Split-conformal prediction intervals (Vovk et al. 2005; Lei et al. 2018): a forecast ± the
// ⌈(n+1)·c⌉-th smallest of n absolute residuals on data the model did not train on covers a new
// value with probability at least c, whatever the error distribution, if the errors are exchangeable.
namespace LstmService.Engine.Evaluation;

/// <summary>
/// Half-widths per horizon step and target at coverages 0.50, 0.51, …, 0.99 (null where the
/// calibration residuals are too few for that coverage). <see cref="Residuals"/>[step][target]
/// is how many each was fitted on.
/// </summary>
public sealed record ConformalIntervals(double?[][][] Widths, int[][] Residuals)
{
    public const double MinCoverage = 0.5, MaxCoverage = 0.99;
    private const int Levels = 50;

    public int Steps => Widths.Length;

    /// <summary>From absolute residuals [step][target]; an empty list (every target filled in) gives no widths.</summary>
    public static ConformalIntervals Fit(IReadOnlyList<double>[][] residuals)
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
        return new ConformalIntervals(widths, [.. residuals.Select(step => step.Select(r => r.Count).ToArray())]);
    }

    /// <summary>
    /// The half-width for <paramref name="step"/> (1 first) and target <paramref name="target"/> at
    /// <paramref name="coverage"/> in [0.5, 0.99], rounded up to the next hundredth; null when the
    /// residuals are too few for it.
    /// </summary>
    public double? Width(int step, int target, double coverage)
    {
        if (!(coverage >= MinCoverage && coverage <= MaxCoverage)) throw new ArgumentOutOfRangeException(nameof(coverage), coverage, "The coverage must be in [0.5, 0.99].");
        int level = Math.Min(Levels - 1, (int)Math.Ceiling((coverage - MinCoverage) * 100 - 1e-9));
        return Widths[step - 1][target][level];
    }

    private static double Level(int level) => MinCoverage + level / 100.0;
}

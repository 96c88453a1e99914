// Scores a forecaster on a stretch of a series beside the two forecasts anyone can make without a
// model: the last value (naive) and the value one season back (seasonal naive), on exactly the
// same targets, per target column and per horizon step.
using LstmService.Engine.Inference;

namespace LstmService.Engine.Evaluation;

/// <summary>
/// <paramref name="rows"/> [N][V] with gaps filled; <paramref name="missing"/> marks the cells
/// that were filled (null: none), which are never scored as targets. A model reads
/// <paramref name="window"/> rows of <paramref name="inputColumns"/> and forecasts
/// <paramref name="horizon"/> rows of <paramref name="targetColumns"/> (step-major, as
/// <see cref="Data.SlidingWindows"/> lays them out).
/// </summary>
public sealed class SeriesEvaluator(double[][] rows, bool[][]? missing, int[] inputColumns, int[] targetColumns, int window, int horizon, int seasonLength)
{
    private const int OriginsPerCall = 1024;

    /// <summary>
    /// The model's forecasts of <paramref name="steps"/> rows (default: its horizon; more are fed
    /// back, <see cref="WindowedForecast"/>) from every origin r in [<paramref name="from"/>,
    /// <paramref name="to"/>): inputs rows [r − window, r), targets rows r … r + steps − 1.
    /// <paramref name="predict"/> maps windows to forecasts of horizon·targets values, in the data's units.
    /// </summary>
    public SeriesForecasts Forecast(int from, int to, Func<IReadOnlyList<double[][]>, double[][]> predict, int? steps = null)
    {
        if (from < Math.Max(window, seasonLength) || to > rows.Length || from >= to)
            throw new ArgumentOutOfRangeException(nameof(from), $"Origins [{from}, {to}) need {Math.Max(window, seasonLength)} rows of history before them, within {rows.Length} rows.");
        var origins = Enumerable.Range(from, to - from).ToArray();
        // The forecaster sees only the input columns.
        double[][] Inputs(double[][] w) => [.. w.Select(row => inputColumns.Select(c => row[c]).ToArray())];
        // In chunks of origins, so that only one chunk's windows are copied at a time.
        var values = origins.Chunk(OriginsPerCall).SelectMany(chunk => WindowedForecast.Run([.. chunk.Select(r => rows[(r - window)..r])], steps ?? horizon, window, horizon,
            targetColumns, windows => predict([.. windows.Select(Inputs)])).Select(f => f.SelectMany(row => row).ToArray())).ToArray();
        return new SeriesForecasts(origins, to, values, steps ?? horizon);
    }

    /// <summary>
    /// The metrics of <paramref name="forecasts"/> and both baselines for each step and target,
    /// over the targets that lie before the forecasts' end and were not filled in.
    /// <paramref name="scale"/>: MASE's denominator per target (<see cref="SeasonalScale"/> of the training part).
    /// </summary>
    public SeriesScores Score(SeriesForecasts forecasts, double[] scale)
    {
        int y = targetColumns.Length;
        var steps = new List<StepScores>();
        for (int h = 1; h <= forecasts.Steps; h++)
        {
            var (points, model, naive, seasonal) = (new int[y], new ErrorMetrics?[y], new ErrorMetrics?[y], new ErrorMetrics?[y]);
            for (int k = 0; k < y; k++)
            {
                int c = targetColumns[k];
                var scored = Scored(forecasts, h, k).ToList();
                points[k] = scored.Count;
                if (scored.Count == 0) continue;
                double[] actual = [.. scored.Select(s => rows[s.Target][c])];
                model[k] = ErrorMetrics.Compute(actual, [.. scored.Select(s => s.Forecast)], scale[k]);
                naive[k] = ErrorMetrics.Compute(actual, [.. scored.Select(s => rows[s.Origin - 1][c])], scale[k]);
                // Hyndman's seasonal naive: the same point of the last season seen before the origin.
                seasonal[k] = ErrorMetrics.Compute(actual, [.. scored.Select(s => rows[s.Target - seasonLength * ((h - 1) / seasonLength + 1)][c])], scale[k]);
            }
            steps.Add(new StepScores(h, points, model, naive, seasonal));
        }
        return new SeriesScores(forecasts.Origins.Length, steps);
    }

    /// <summary>
    /// The absolute errors of <paramref name="forecasts"/> [step][target] on the targets
    /// <see cref="Score"/> scores, each divided by its origin's <see cref="ConformalIntervals.Scale"/>
    /// under <paramref name="scaledBy"/> when given (the scores conformal intervals are fitted on and checked with).
    /// </summary>
    public IReadOnlyList<double>[][] AbsoluteErrors(SeriesForecasts forecasts, ConformalIntervals? scaledBy = null) =>
        [.. Enumerable.Range(1, forecasts.Steps).Select(h => Enumerable.Range(0, targetColumns.Length)
            .Select(k => (IReadOnlyList<double>)[.. Scored(forecasts, h, k).Select(s => Math.Abs(rows[s.Target][targetColumns[k]] - s.Forecast)
                / (scaledBy?.Scale(rows, s.Origin, targetColumns[k], k) ?? 1))]).ToArray())];

    /// <summary>
    /// Conformal intervals from <paramref name="forecasts"/> (of the validation part), scaled by the
    /// mean one-step change over <paramref name="lookback"/> rows before each origin: floors a hundredth
    /// of each target's mean scale over the origins, scores the errors over the scales.
    /// <paramref name="keep"/> picks the steps to keep from the scores [step][target].
    /// </summary>
    public ConformalIntervals Calibrate(SeriesForecasts forecasts, int lookback, Func<IReadOnlyList<double>[][], IReadOnlyList<double>[][]>? keep = null) =>
        Calibrate([(this, forecasts)], lookback, keep);

    /// <summary>
    /// One set of intervals for several series of one global model (each part: a series' evaluator
    /// and its forecasts, of the same steps): their scores pooled, the floors a hundredth of each
    /// target's mean scale over every origin of every series.
    /// </summary>
    public static ConformalIntervals Calibrate(IReadOnlyList<(SeriesEvaluator Evaluator, SeriesForecasts Forecasts)> parts, int lookback,
        Func<IReadOnlyList<double>[][], IReadOnlyList<double>[][]>? keep = null)
    {
        int targets = parts[0].Evaluator.Targets;
        double[] floors = [.. Enumerable.Range(0, targets).Select(k => 0.01 * parts.SelectMany(p => p.Evaluator.Spreads(p.Forecasts, k, lookback)).Average() is var f && f > 0 ? f : 1e-9)];
        var unscaled = new ConformalIntervals([], [], floors, lookback);
        var perPart = parts.Select(p => p.Evaluator.AbsoluteErrors(p.Forecasts, unscaled)).ToList();
        IReadOnlyList<double>[][] scores = [.. Enumerable.Range(0, perPart[0].Length).Select(h => Enumerable.Range(0, targets)
            .Select(k => (IReadOnlyList<double>)[.. perPart.SelectMany(p => p[h][k])]).ToArray())];
        return ConformalIntervals.Fit(keep?.Invoke(scores) ?? scores, floors, lookback);
    }

    private int Targets => targetColumns.Length;

    // Target k's mean one-step change over lookback rows before each origin of the forecasts.
    private IEnumerable<double> Spreads(SeriesForecasts forecasts, int k, int lookback) =>
        forecasts.Origins.Select(r => ConformalIntervals.Spread(rows, r, targetColumns[k], lookback));

    // Step h's forecasts of target k whose target row is before the end and was not filled in.
    private IEnumerable<(int Origin, int Target, double Forecast)> Scored(SeriesForecasts forecasts, int h, int k)
    {
        int y = targetColumns.Length;
        for (int o = 0; o < forecasts.Origins.Length; o++)
        {
            int r = forecasts.Origins[o], target = r + h - 1;
            if (target < forecasts.End && missing?[target][targetColumns[k]] != true)
                yield return (r, target, forecasts.Values[o][(h - 1) * y + k]);
        }
    }

    /// <summary>
    /// MASE's scale per target: the mean absolute error of the seasonal-naive forecast over rows
    /// [0, <paramref name="trainingRows"/>), each value against the one a season before it, skipping
    /// pairs with a filled value. NaN when the training part is not longer than a season.
    /// </summary>
    public double[] SeasonalScale(int trainingRows) => targetColumns.Select(c =>
    {
        var errors = Enumerable.Range(seasonLength, Math.Max(0, trainingRows - seasonLength))
            .Where(t => missing is null || !(missing[t][c] || missing[t - seasonLength][c]))
            .Select(t => Math.Abs(rows[t][c] - rows[t - seasonLength][c])).ToList();
        return errors.Count == 0 ? double.NaN : errors.Average();
    }).ToArray();
}

/// <summary>
/// A model's forecasts of <see cref="Steps"/> rows (step-major per origin) from consecutive
/// origins (first target rows); targets at or after <see cref="End"/> are not scored.
/// </summary>
public sealed record SeriesForecasts(int[] Origins, int End, double[][] Values, int Steps);

/// <summary>Scores over <see cref="Origins"/> forecast origins, one entry per horizon step (1 first).</summary>
public sealed record SeriesScores(int Origins, IReadOnlyList<StepScores> Steps);

/// <summary>One horizon step: per target, how many targets were scored and the metrics of the model and both baselines (null with none).</summary>
public sealed record StepScores(int Step, int[] Points, ErrorMetrics?[] Model, ErrorMetrics?[] Naive, ErrorMetrics?[] SeasonalNaive);

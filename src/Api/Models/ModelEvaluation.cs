// How good a model is, in the data's own units, beside the forecasts anyone could make without
// it: the `evaluation` of a model's view, of a finished job's view and of POST .../evaluate.
using System.Text.Json.Serialization;
using LstmService.Engine.Evaluation;

namespace LstmService.Api.Models;

/// <summary>
/// A forecaster's evaluation on <c>split</c> ("test": the held-out end of its series; "data": a
/// series the caller brought): over <c>windows</c> forecast origins, the one-step
/// <c>metrics</c> per target column beside the naive and seasonal-naive <c>baselines</c> on the
/// same targets, the empirical <c>coverage</c> of its prediction intervals, and the same per
/// forecast step (<c>horizons</c>) when more than one is scored: its horizon, and beyond it as
/// many steps as its intervals are calibrated for, its forecasts fed back as the next rows.
/// A global model of several series has each one's evaluation in <c>series</c>, by id, and as
/// its one-step <c>metrics</c>, <c>baselines</c> and <c>coverage</c> the mean over the series
/// of each figure (as the M4 competition averages MASE); <c>windows</c> counts every series' origins.
/// A classifier's evaluation has <c>sequences</c>, <c>accuracy</c>, <c>perClass</c> and
/// <c>confusion</c> instead.
/// </summary>
public sealed record ModelEvaluation
{
    public required string Split { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Windows { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? SeasonLength { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyDictionary<string, ErrorMetrics?>? Metrics { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Baselines? Baselines { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<IntervalCoverage>? Coverage { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<HorizonStep>? Horizons { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyDictionary<string, ModelEvaluation>? Series { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Sequences { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Accuracy { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyDictionary<string, ClassScores>? PerClass { get; init; }
    /// <summary>Counts [actual][predicted], classes in the model's <c>labels</c> order.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int[][]? Confusion { get; init; }

    /// <summary>
    /// A classifier's scores on <paramref name="inputs"/> labelled <paramref name="actual"/>
    /// (indices into <paramref name="labels"/>): the most probable class of each is its prediction.
    /// </summary>
    public static ModelEvaluation OfClassifier(string split, Func<IReadOnlyList<double[][]>, double[][][]> predict, IReadOnlyList<double[][]> inputs, int[] actual, string[] labels)
    {
        int[] predicted = [.. predict(inputs).Select(p => Array.IndexOf(p[^1], p[^1].Max()))];
        var metrics = ClassificationMetrics.Compute(actual, predicted, labels.Length);
        return new ModelEvaluation
        {
            Split = split, Sequences = metrics.Sequences, Accuracy = metrics.Accuracy,
            PerClass = labels.Select((l, c) => (l, metrics.PerClass[c])).ToDictionary(p => p.l, p => p.Item2), Confusion = metrics.Confusion,
        };
    }

    /// <summary>The nominal coverages whose empirical coverage an evaluation reports.</summary>
    public static readonly double[] CheckedCoverages = [0.8, 0.95];

    /// <summary>
    /// A series model scored from every origin in [<paramref name="from"/>, <paramref name="to"/>)
    /// of <paramref name="evaluator"/>'s series, per step up to <paramref name="steps"/>, targets
    /// named; with <paramref name="intervals"/>, how often they held the actual value.
    /// </summary>
    public static ModelEvaluation OfSeries(string split, SeriesEvaluator evaluator, int from, int to, Func<IReadOnlyList<double[][]>, double[][]> predict,
        int steps, double[] scale, IReadOnlyList<string> targets, int seasonLength, ConformalIntervals? intervals)
    {
        var forecasts = evaluator.Forecast(from, to, predict, steps);
        var errors = intervals is null ? null : evaluator.AbsoluteErrors(forecasts, intervals);
        var scores = evaluator.Score(forecasts, scale);
        var perStep = scores.Steps.Select(s => new HorizonStep(s.Step, Named(s.Model, targets), new Baselines(Named(s.Naive, targets), Named(s.SeasonalNaive, targets)),
            intervals is null || s.Step > intervals.Steps ? null : Coverages(s.Step, targets, errors![s.Step - 1], intervals))).ToList();
        return new ModelEvaluation
        {
            Split = split, Windows = scores.Origins, SeasonLength = seasonLength,
            Metrics = perStep[0].Metrics, Baselines = perStep[0].Baselines, Coverage = perStep[0].Coverage, Horizons = perStep.Count > 1 ? perStep : null,
        };
    }

    /// <summary>Several series' evaluations (<paramref name="evaluations"/>, in the order of <paramref name="ids"/>) with the mean of each one-step figure.</summary>
    public static ModelEvaluation OfSeveral(IReadOnlyList<string> ids, IReadOnlyList<ModelEvaluation> evaluations, IReadOnlyList<string> targets)
    {
        Dictionary<string, ErrorMetrics?> Mean(Func<ModelEvaluation, IReadOnlyDictionary<string, ErrorMetrics?>> of) => targets.ToDictionary(t => t, t =>
            evaluations.Select(e => of(e)[t]).OfType<ErrorMetrics>().ToList() is { Count: > 0 } m
                ? new ErrorMetrics(Average(m, x => x.Mae), Average(m, x => x.Rmse), Average(m, x => x.Mape), Average(m, x => x.Smape), Average(m, x => x.Mase))
                : null);
        return new ModelEvaluation
        {
            Split = evaluations[0].Split, Windows = evaluations.Sum(e => e.Windows), SeasonLength = evaluations[0].SeasonLength,
            Metrics = Mean(e => e.Metrics!), Baselines = new Baselines(Mean(e => e.Baselines!.Naive), Mean(e => e.Baselines!.SeasonalNaive)),
            Coverage = evaluations[0].Coverage?.Select((c, i) => new IntervalCoverage(c.Nominal, targets.ToDictionary(t => t,
                t => Average(evaluations, e => e.Coverage![i].Empirical[t])))).ToList(),
            Series = ids.Zip(evaluations).ToDictionary(p => p.First, p => p.Second),
        };
    }

    // The mean of the known values; null when none is.
    private static double? Average<TItem>(IEnumerable<TItem> items, Func<TItem, double?> value) =>
        items.Select(value).OfType<double>().ToList() is { Count: > 0 } known ? known.Average() : null;

    // Per checked coverage and target: the share of scores (errors over their scale) within the interval's (null when it has none).
    private static List<IntervalCoverage> Coverages(int step, IReadOnlyList<string> targets, IReadOnlyList<double>[] errors, ConformalIntervals intervals) =>
        [.. CheckedCoverages.Select(c => new IntervalCoverage(c, targets.Select((t, k) => (t, intervals.Width(step, k, c) is { } w && errors[k].Count > 0
            ? errors[k].Count(e => e <= w) / (double)errors[k].Count : (double?)null)).ToDictionary(p => p.t, p => p.Item2)))];

    private static Dictionary<string, ErrorMetrics?> Named(ErrorMetrics?[] values, IReadOnlyList<string> targets) =>
        targets.Select((t, k) => (t, values[k])).ToDictionary(p => p.t, p => p.Item2);
}

/// <summary>How often the model's <c>nominal</c> prediction intervals held the actual value, per target (<c>empirical</c>, 0 to 1).</summary>
public sealed record IntervalCoverage(double Nominal, IReadOnlyDictionary<string, double?> Empirical);

/// <summary>The same metrics for the last value (naive) and the value a season back (seasonal naive), on the same targets.</summary>
public sealed record Baselines(IReadOnlyDictionary<string, ErrorMetrics?> Naive, IReadOnlyDictionary<string, ErrorMetrics?> SeasonalNaive);

/// <summary>The scores of the <c>step</c>-th forecast step (1 = the next row), and its intervals' coverage.</summary>
public sealed record HorizonStep(int Step, IReadOnlyDictionary<string, ErrorMetrics?> Metrics, Baselines Baselines, IReadOnlyList<IntervalCoverage>? Coverage);

// How good a model is, in the data's own units, beside the forecasts anyone could make without
// it: the `evaluation` of a model's view, of a finished job's view and of POST .../evaluate.
using System.Text.Json.Serialization;
using LstmService.Engine.Evaluation;

namespace LstmService.Api.Models;

/// <summary>
/// A forecaster's evaluation on <c>split</c> ("test": the held-out end of its series; "data": a
/// series the caller brought): over <c>windows</c> forecast origins, the one-step
/// <c>metrics</c> per target column beside the naive and seasonal-naive <c>baselines</c> on the
/// same targets, and for a model of horizon &gt; 1 the same per horizon step (<c>horizons</c>).
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
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<HorizonStep>? Horizons { get; init; }

    /// <summary>The one-step scores of a series model (and per step when its horizon is above 1), targets named.</summary>
    public static ModelEvaluation FromSeries(string split, SeriesScores scores, string[] targets, int seasonLength)
    {
        var steps = scores.Steps.Select(s => new HorizonStep(s.Step, Named(s.Model, targets), new Baselines(Named(s.Naive, targets), Named(s.SeasonalNaive, targets)))).ToList();
        return new ModelEvaluation
        {
            Split = split, Windows = scores.Origins, SeasonLength = seasonLength,
            Metrics = steps[0].Metrics, Baselines = steps[0].Baselines, Horizons = steps.Count > 1 ? steps : null,
        };
    }

    private static Dictionary<string, ErrorMetrics?> Named(ErrorMetrics?[] values, string[] targets) =>
        targets.Select((t, k) => (t, values[k])).ToDictionary(p => p.t, p => p.Item2);
}

/// <summary>The same metrics for the last value (naive) and the value a season back (seasonal naive), on the same targets.</summary>
public sealed record Baselines(IReadOnlyDictionary<string, ErrorMetrics?> Naive, IReadOnlyDictionary<string, ErrorMetrics?> SeasonalNaive);

/// <summary>The scores of the <c>step</c>-th forecast step (1 = the next row).</summary>
public sealed record HorizonStep(int Step, IReadOnlyDictionary<string, ErrorMetrics?> Metrics, Baselines Baselines);

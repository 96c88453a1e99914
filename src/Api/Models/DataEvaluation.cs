// POST /api/models/{id}/evaluate: a model scored on data the caller brings, as a job scores it on
// its held-out part: a series model from every origin beside the baselines, a classifier by label.
using LstmService.Api.Infrastructure;
using LstmService.Api.Jobs;
using LstmService.Engine.Data;
using LstmService.Engine.Evaluation;

namespace LstmService.Api.Models;

internal static class DataEvaluation
{
    /// <summary>
    /// A series model on each of <paramref name="scored"/> (its index among the model's series, and
    /// its rows [N][columns]; NaN: a gap, carried forward and never scored), from every origin with
    /// a window and a season of history before it; several series give their evaluations and
    /// means. Null, with <paramref name="errors"/> saying why, when a series is too short or the
    /// whole too costly.
    /// </summary>
    public static ModelEvaluation? Series(LoadedModel model, ForecastingView f, IReadOnlyList<(int Series, double[][] Rows)> scored, string field, ServiceLimits limits, ValidationErrors errors)
    {
        int from = Math.Max(f.Window, f.SeasonLength);
        var tooShort = scored.FirstOrDefault(s => s.Rows.Length <= from);
        if (!errors.Require(tooShort.Rows is null, field, $"The model needs {from} rows of history before the first row it forecasts (its window and season); {Name(f, tooShort.Series)} has {tooShort.Rows?.Length}.")) return null;
        int steps = Math.Max(f.Horizon, f.IntervalSteps); // as far as its intervals reach
        double work = scored.Sum(s => (double)(s.Rows.Length - from)) * f.Window * Jobs.JobWork.PerStep(model.Spec) * ((steps + f.Horizon - 1) / f.Horizon);
        if (!errors.Require(work <= limits.MaxWorkPerPrediction, field, $"Forecasting {scored.Sum(s => s.Rows.Length - from):N0} windows of {f.Window} rows takes about {work:G3} multiply-adds; at most {limits.MaxWorkPerPrediction:G3} per call (Limits:MaxWorkPerPrediction). Send a shorter series.")) return null;
        var evaluations = scored.Select(s =>
        {
            // Only a stored CSV has gaps (JSON numbers are finite), and its upload refused a column without a value.
            var missing = MissingValues.Mask(s.Rows);
            // Gaps carry the last value forward (a forecast must not see its target); a leading one takes the first value.
            var filled = missing is null ? s.Rows : MissingValues.FillCausal(s.Rows, MissingValueFill.ForwardFill, 0);
            var evaluator = new SeriesEvaluator(filled, missing, [.. Enumerable.Range(0, f.Columns.Count)], f.TargetColumns(), f.Window, f.Horizon, f.SeasonLength);
            double[] scale = [.. f.MaseScaleOf(s.Series).Select(v => v ?? double.NaN)];
            return ModelEvaluation.OfSeries("data", evaluator, from, s.Rows.Length, w => [.. model.Predict(w, s.Series).Select(o => o[^1])], steps, scale, f.Targets, f.SeasonLength, model.Intervals);
        }).ToList();
        return f.Series is null ? evaluations[0] : ModelEvaluation.OfSeveral([.. scored.Select(s => f.Series[s.Series].Id)], evaluations, f.Targets);
    }

    private static string Name(ForecastingView f, int series) => Training.PlannedSeries.NameOf(f.Series?[series].Id);

    /// <summary>A classifier on labelled <paramref name="sequences"/>; null, with <paramref name="errors"/> saying why, when a label is not one of the model's.</summary>
    public static ModelEvaluation? Classifier(LoadedModel model, string[] labels, IReadOnlyList<SequenceData> sequences, string field, ServiceLimits limits, ValidationErrors errors)
    {
        var index = labels.Select((l, c) => (l, c)).ToDictionary(p => p.l, p => p.c);
        for (int n = 0; n < sequences.Count; n++)
            if (!errors.Require(sequences[n].Label is { } label && index.ContainsKey(label), $"{field}[{n}].label",
                $"Each sequence needs a label the model knows: {string.Join(", ", labels)}.") && errors.IsFull) return null;
        if (!errors.IsEmpty) return null;
        double work = sequences.Sum(s => (double)s.Inputs!.Length) * Jobs.JobWork.PerStep(model.Spec);
        if (!errors.Require(work <= limits.MaxWorkPerPrediction, field, $"Labelling these sequences takes about {work:G3} multiply-adds; at most {limits.MaxWorkPerPrediction:G3} per call (Limits:MaxWorkPerPrediction). Send fewer or shorter sequences.")) return null;
        return ModelEvaluation.OfClassifier("data", s => model.Predict(s), [.. sequences.Select(s => s.Inputs!)], [.. sequences.Select(s => index[s.Label!])], labels);
    }
}

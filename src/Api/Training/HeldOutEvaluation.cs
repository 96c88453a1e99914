// A trained model scored on the part of its data it never saw, in the data's own units, beside
// the baselines, and its prediction intervals calibrated on the validation part: what a job
// stores with its model.
using System.Numerics;
using LstmService.Api.Models;
using LstmService.Engine.Data;
using LstmService.Engine.Evaluation;
using LstmService.Engine.Forecasting;
using LstmService.Engine.Inference;
using LstmService.Engine.Layers;

namespace LstmService.Api.Training;

internal static class HeldOutEvaluation
{
    // Recursive forecasts are calibrated as far as the validation part reaches, from its latest
    // origins: enough residuals, bounded work.
    private const int MinCalibratedSteps = 12, MaxCalibrationOrigins = 1000;
    // ⌈(n + 1) · 0.95⌉ ≤ n needs n ≥ 19.
    private const int MinResiduals = 19;

    /// <summary>
    /// A series model's forecasting view, its conformal intervals (null without a validation
    /// part) and its evaluation on the test part (null without one): of its one series, or per
    /// series with their means for a global model of several, whose intervals are calibrated on
    /// every series' validation part at once. The network's weights become final: call this
    /// after the model file is written.
    /// </summary>
    public static (ForecastingView, ConformalIntervals?, ModelEvaluation?) OfSeries<T>(LstmNetwork<T> network, Normalizer? normalizer, SeriesPlan plan, WindowModel? windowModel)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var series = plan.Series;
        var evaluators = series.Select(s => new SeriesEvaluator(s.Rows, s.Missing, plan.InputColumns, plan.Targets, plan.Window, plan.Horizon, plan.SeasonLength)).ToList();
        var predictor = new Predictor<T>(network, normalizer);
        Func<IReadOnlyList<double[][]>, double[][]> lstm = windows => [.. predictor.Predict(windows).Select(o => o[0])];
        Func<IReadOnlyList<double[][]>, double[][]> Predict(int s) => windowModel?.Around(lstm, s) ?? lstm;

        // A model that can feed its forecasts back is checked two seasons ahead (at least 12 steps).
        int farthest = WindowedForecast.CanFeedBack(plan.Targets, plan.Columns.Length) ? Math.Max(plan.Horizon, Math.Max(2 * plan.SeasonLength, MinCalibratedSteps)) : plan.Horizon;
        ConformalIntervals? intervals = null;
        if (series.All(s => s.Split.ValidationRows > 0))
        {
            int steps = Math.Min(series.Min(s => s.Split.ValidationRows), farthest);
            var calibration = series.Select((s, i) => (evaluators[i],
                evaluators[i].Forecast(Math.Max(s.Split.ValidationStart, s.Split.TestStart - MaxCalibrationOrigins), s.Split.TestStart, Predict(i), steps))).ToList();
            // Errors scaled by the mean one-step change over the model's window (measured against other
            // scales: docs/dev/forecasting-measurements.md). Far steps have fewer scores (their targets
            // run past the validation part): keep those with enough for 0.95, and always the horizon.
            intervals = SeriesEvaluator.Calibrate(calibration, Math.Max(plan.Window, 2),
                scores => scores[..Math.Max(plan.Horizon, scores.TakeWhile(step => step.All(e => e.Count >= MinResiduals)).Count())]);
        }

        var scales = series.Select((s, i) => evaluators[i].SeasonalScale(s.Split.TrainingRows)).ToList();
        static double?[] Known(double[] scale) => [.. scale.Select(s => double.IsFinite(s) ? s : (double?)null)];
        var ids = plan.Ids;
        var forecasting = new ForecastingView(plan.Window, plan.Horizon, plan.Columns, plan.TargetNames, plan.SeasonLength,
            ids is null ? Known(scales[0]) : null, intervals?.Steps ?? 0, windowModel, ids?.Select((id, i) => new ForecastSeries(id, Known(scales[i]))).ToList());
        if (series.Any(s => s.Split.TestRows == 0)) return (forecasting, intervals, null);
        var evaluations = series.Select((s, i) => ModelEvaluation.OfSeries("test", evaluators[i], s.Split.TestStart, s.Split.Rows, Predict(i),
            TestSteps(farthest, plan.Horizon, s.Split.TestRows), scales[i], plan.TargetNames, plan.SeasonLength, intervals)).ToList();
        return (forecasting, intervals, ids is null ? evaluations[0] : ModelEvaluation.OfSeveral(ids, evaluations, plan.TargetNames));
    }

    // Scored steps beyond the horizon stop where fewer than half the test part's origins reach
    // them: a step's figures should rest on the same stretch of the series as the first step's.
    private static int TestSteps(int farthest, int horizon, int testRows) => Math.Max(horizon, Math.Min(farthest, testRows / 2));

    /// <summary>
    /// A classifier's scores on its held-out sequences (raw, in the caller's units); null without
    /// any. The network's weights become final: call this after the model file is written.
    /// </summary>
    public static ModelEvaluation? OfClassifier<T>(LstmNetwork<T> network, Normalizer? normalizer, IReadOnlyList<Sequence> test, string[] labels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (test.Count == 0) return null;
        var predictor = new Predictor<T>(network, normalizer);
        return ModelEvaluation.OfClassifier("test", s => predictor.Predict(s), [.. test.Select(s => s.Inputs)], [.. test.Select(s => s.Labels![0])], labels);
    }
}

// A trained model scored on the part of its data it never saw, in the data's own units, beside
// the baselines: what a job stores with its model.
using System.Numerics;
using LstmService.Api.Models;
using LstmService.Engine.Data;
using LstmService.Engine.Evaluation;
using LstmService.Engine.Inference;
using LstmService.Engine.Layers;

namespace LstmService.Api.Training;

internal static class HeldOutEvaluation
{
    /// <summary>
    /// A series model's forecasting view and its evaluation on the test part (null without one).
    /// The network's weights become final: call this after the model file is written.
    /// </summary>
    public static (ForecastingView, ModelEvaluation?) OfSeries<T>(LstmNetwork<T> network, Normalizer? normalizer, SeriesPlan plan)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var evaluator = new SeriesEvaluator(plan.Rows, plan.Missing, plan.InputColumns, plan.Targets, plan.Window, plan.Horizon, plan.SeasonLength);
        var scale = evaluator.SeasonalScale(plan.Split.TrainingRows);
        var forecasting = new ForecastingView(plan.Window, plan.Horizon, plan.Columns, plan.TargetNames, plan.SeasonLength,
            [.. scale.Select(s => double.IsFinite(s) ? s : (double?)null)]);
        if (plan.Split.TestRows == 0) return (forecasting, null);
        var predictor = new Predictor<T>(network, normalizer);
        var forecasts = evaluator.Forecast(plan.Split.TestStart, plan.Split.Rows, windows => [.. predictor.Predict(windows).Select(o => o[0])]);
        return (forecasting, ModelEvaluation.FromSeries("test", evaluator.Score(forecasts, scale), plan.TargetNames, plan.SeasonLength));
    }
}

// What GET /api/models/{id} returns: the architecture in the request's own shape, how it was
// trained, and its size.
using System.Text.Json;
using LstmService.Api.Infrastructure;
using LstmService.Api.Jobs;
using LstmService.Api.Training;
using LstmService.Engine;
using LstmService.Persistence;

namespace LstmService.Api.Models;

/// <summary>One page of <c>GET /api/models</c>, newest first.</summary>
public sealed record ModelPage(IReadOnlyList<ModelView> Items, int Page, int PageSize, int Total);

/// <summary>
/// A model: its architecture, the losses it ended with, and (for trained models) <c>training</c>,
/// the settings its job ran with (every default filled in), the <c>datasetId</c> it trained on,
/// <c>forecasting</c> for a series model, and its held-out <c>evaluation</c>.
/// </summary>
public sealed record ModelView(
    string Id, string Name, string? JobId, DateTime CreatedAt, ModelSpecView Spec, ModelMetrics? Metrics, int ParameterCount, IReadOnlyList<string>? Labels,
    TrainingRequest? Training, string? DatasetId, ForecastingView? Forecasting, ModelEvaluation? Evaluation)
{
    public static ModelView From(StoredModel model)
    {
        var spec = JsonSerializer.Deserialize<ModelSpec>(model.SpecJson, ApiJson.Options)!;
        return new ModelView(model.Id, model.Name, model.JobId, DateTime.SpecifyKind(model.CreatedAt, DateTimeKind.Utc),
            ModelSpecView.From(spec, model.Precision, model.HasNormalizer),
            ApiJson.Read<ModelMetrics>(model.MetricsJson), model.ParameterCount, ApiJson.Read<string[]>(model.LabelsJson),
            ApiJson.Read<TrainingRequest>(model.TrainingJson), model.DatasetId, ApiJson.Read<ForecastingView>(model.ForecastingJson), ApiJson.Read<ModelEvaluation>(model.EvaluationJson));
    }
}

/// <summary>A model's architecture as a job request spells it, plus what the data decided: input size, precision, normalization.</summary>
public sealed record ModelSpecView(
    CellKind Cell, int InputSize, int HiddenSize, int Layers, double Dropout, OutputRequest Output, LossName Loss, string Precision, bool Normalized)
{
    public static ModelSpecView From(ModelSpec spec, string precision, bool normalized) => new(
        spec.Cell, spec.InputSize, spec.HiddenSize, spec.Layers, spec.Dropout,
        new OutputRequest { Kind = spec.Output, Size = spec.OutputSize, Steps = spec.Steps },
        spec.Loss == LossKind.CrossEntropy ? LossName.CrossEntropy : LossName.Mse, precision, normalized);
}

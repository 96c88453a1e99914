// What GET /api/models/{id} returns: the architecture in the request's own shape, how it was
// trained, and its size.
using System.Text.Json;
using LstmService.Api.Infrastructure;
using LstmService.Api.Jobs;
using LstmService.Api.Training;
using LstmService.Engine;
using LstmService.Persistence;

namespace LstmService.Api.Models;

public sealed record ModelView(
    string Id, string Name, string? JobId, DateTime CreatedAt, ModelSpecView Spec, ModelMetrics? Metrics, int ParameterCount, IReadOnlyList<string>? Labels)
{
    public static ModelView From(StoredModel model)
    {
        var spec = JsonSerializer.Deserialize<ModelSpec>(model.SpecJson, ApiJson.Options)!;
        return new ModelView(model.Id, model.Name, model.JobId, DateTime.SpecifyKind(model.CreatedAt, DateTimeKind.Utc),
            ModelSpecView.From(spec, model.Precision, model.HasNormalizer),
            model.MetricsJson is null ? null : JsonSerializer.Deserialize<ModelMetrics>(model.MetricsJson, ApiJson.Options),
            model.ParameterCount,
            model.LabelsJson is null ? null : JsonSerializer.Deserialize<string[]>(model.LabelsJson, ApiJson.Options));
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

// A trained or imported model: its spec and metrics as JSON, and the engine's model file
// (safetensors with spec and normalizer in its metadata) as one blob.
namespace LstmService.Persistence;

public sealed class StoredModel
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public string? JobId { get; init; }
    public DateTime CreatedAt { get; init; }
    /// <summary>The model spec as the API writes it (camelCase JSON).</summary>
    public required string SpecJson { get; init; }
    /// <summary>"float32" or "float64": the precision the weights are stored and served in.</summary>
    public required string Precision { get; init; }
    public bool HasNormalizer { get; init; }
    public int ParameterCount { get; init; }
    /// <summary>Final metrics as JSON (e.g. train and validation loss, best epoch); null for imports.</summary>
    public string? MetricsJson { get; init; }
    /// <summary>Class names for classification models, as a JSON array; null otherwise.</summary>
    public string? LabelsJson { get; init; }
    /// <summary>The effective training settings of the job that made it (every default filled in), as JSON; null for imports.</summary>
    public string? TrainingJson { get; init; }
    /// <summary>The dataset the job trained on; null for inline data and imports.</summary>
    public string? DatasetId { get; init; }
    /// <summary>For a series model: window, horizon, columns, targets, season and what evaluation and intervals need, as JSON.</summary>
    public string? ForecastingJson { get; init; }
    /// <summary>A series model's calibrated interval widths (conformal, from its validation part) as JSON; null without one.</summary>
    public string? IntervalsJson { get; init; }
    /// <summary>The held-out evaluation (metrics beside the baselines, or a classifier's accuracy) as JSON; null when there was none.</summary>
    public string? EvaluationJson { get; init; }
    public required byte[] File { get; init; }
}

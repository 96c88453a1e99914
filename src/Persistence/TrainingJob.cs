// A training job as stored: the database is the queue. The request (spec, options, where the data
// is) is kept as the JSON the client sent, the data of an inline job as compact binary, and the
// progress and last checkpoint beside them so a restart resumes rather than restarts.
namespace LstmService.Persistence;

public sealed class TrainingJob
{
    public required string Id { get; init; }
    public required string Name { get; set; }
    public JobStatus Status { get; set; } = JobStatus.Queued;
    public DateTime CreatedAt { get; init; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }

    /// <summary>The validated request as JSON: model spec, training options, data source.</summary>
    public required string RequestJson { get; init; }
    /// <summary>Inline sequences, encoded compactly; null when the job trains on a dataset.</summary>
    public byte[]? InlineData { get; init; }
    public string? DatasetId { get; init; }
    public string? InitialModelId { get; init; }

    public int Epoch { get; set; }
    public int Epochs { get; set; }
    public double? LatestTrainLoss { get; set; }
    public double? LatestValidationLoss { get; set; }
    public bool CancelRequested { get; set; }
    /// <summary>How many times a worker started this job (a restart after a crash counts again).</summary>
    public int Attempts { get; set; }
    /// <summary>How many times in a row the process died while this job was running (found running at start-up) without its checkpoint advancing in between.</summary>
    public int Crashes { get; set; }

    /// <summary>The trainer's checkpoint after <see cref="CheckpointEpoch"/>; null before the first.</summary>
    public byte[]? Checkpoint { get; set; }
    public int CheckpointEpoch { get; set; }

    public string? ModelId { get; set; }
    public string? Error { get; set; }
}

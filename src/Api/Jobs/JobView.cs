// What GET /api/jobs/{id} returns (and POST, and the list): status, progress with an ETA,
// the latest losses, and the model once there is one, with how training ended and its evaluation.
using LstmService.Api.Infrastructure;
using LstmService.Api.Models;
using LstmService.Api.Training;
using LstmService.Persistence;

namespace LstmService.Api.Jobs;

/// <summary>
/// A job. Once it succeeded: <c>stoppedEarly</c> (early stopping ended it before its last epoch),
/// <c>weightsEpoch</c> (the epoch whose weights the model holds: the best one with early stopping)
/// and the model's held-out <c>evaluation</c> (null when there was nothing to evaluate on).
/// </summary>
public sealed record JobView(
    string Id, string Name, JobStatus Status, DateTime CreatedAt, DateTime? StartedAt, DateTime? FinishedAt,
    JobProgress Progress, LatestLoss LatestLoss, string? ModelId, string? Error, bool? StoppedEarly = null, int? WeightsEpoch = null, ModelEvaluation? Evaluation = null)
{
    /// <summary>
    /// The view of a job; <c>secondsSoFar</c> is the wall time of its epochs done, for the ETA;
    /// the JSON of its model's metrics and evaluation, when it has a model.
    /// </summary>
    public static JobView From(TrainingJob job, double secondsSoFar, string? metricsJson = null, string? evaluationJson = null)
    {
        double fraction = job.Status == JobStatus.Succeeded ? 1 : job.Epochs == 0 ? 0 : (double)job.Epoch / job.Epochs;
        double? eta = job.Status == JobStatus.Running && job.Epoch > 0 ? secondsSoFar / job.Epoch * (job.Epochs - job.Epoch) : null;
        var metrics = ApiJson.Read<ModelMetrics>(metricsJson);
        return new JobView(job.Id, job.Name, job.Status, Utc(job.CreatedAt), Utc(job.StartedAt), Utc(job.FinishedAt),
            new JobProgress(job.Epoch, job.Epochs, fraction, eta), new LatestLoss(job.LatestTrainLoss, job.LatestValidationLoss), job.ModelId, job.Error,
            metrics?.StoppedEarly, metrics?.WeightsEpoch, ApiJson.Read<ModelEvaluation>(evaluationJson));
    }

    // SQLite returns DateTime of unspecified kind; they are stored as UTC.
    private static DateTime Utc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);
    private static DateTime? Utc(DateTime? value) => value is { } v ? Utc(v) : null;
}

internal static class JobViewQueries
{
    /// <summary>
    /// The views of <paramref name="jobs"/>, each read in one query with its seconds so far, and
    /// only the columns a view shows: a job's request, data and checkpoint (megabytes for a large
    /// job, otherwise read on every poll) stay in the database.
    /// </summary>
    public static IQueryable<JobView> ToViews(this IQueryable<TrainingJob> jobs, LstmDbContext db) => jobs.Select(j => JobView.From(
        new TrainingJob
        {
            Id = j.Id, Name = j.Name, Status = j.Status, CreatedAt = j.CreatedAt, StartedAt = j.StartedAt, FinishedAt = j.FinishedAt,
            RequestJson = "", Epoch = j.Epoch, Epochs = j.Epochs, LatestTrainLoss = j.LatestTrainLoss, LatestValidationLoss = j.LatestValidationLoss,
            ModelId = j.ModelId, Error = j.Error,
        },
        db.EpochMetrics.Where(m => m.JobId == j.Id).Sum(m => m.Seconds),
        db.Models.Where(m => m.Id == j.ModelId).Select(m => m.MetricsJson).FirstOrDefault(),
        db.Models.Where(m => m.Id == j.ModelId).Select(m => m.EvaluationJson).FirstOrDefault()));
}

public sealed record JobProgress(int Epoch, int Epochs, double Fraction, double? EtaSeconds);

public sealed record LatestLoss(double? Train, double? Validation);

/// <summary>One row of <c>GET /api/jobs/{id}/losses</c>.</summary>
public sealed record EpochLoss(int Epoch, double TrainLoss, double? ValidationLoss, double LearningRate, double Seconds);

public sealed record JobPage(IReadOnlyList<JobView> Items, int Page, int PageSize, int Total);

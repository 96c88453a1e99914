// What GET /api/jobs/{id} returns (and POST, and the list): status, progress with an ETA,
// the latest losses, and the model once there is one.
using LstmService.Persistence;

namespace LstmService.Api.Jobs;

public sealed record JobView(
    string Id, string Name, JobStatus Status, DateTime CreatedAt, DateTime? StartedAt, DateTime? FinishedAt,
    JobProgress Progress, LatestLoss LatestLoss, string? ModelId, string? Error)
{
    /// <summary>The view of a job; <c>secondsSoFar</c> is the wall time of its epochs done, for the ETA.</summary>
    public static JobView From(TrainingJob job, double secondsSoFar)
    {
        double fraction = job.Status == JobStatus.Succeeded ? 1 : job.Epochs == 0 ? 0 : (double)job.Epoch / job.Epochs;
        double? eta = job.Status == JobStatus.Running && job.Epoch > 0 ? secondsSoFar / job.Epoch * (job.Epochs - job.Epoch) : null;
        return new JobView(job.Id, job.Name, job.Status, Utc(job.CreatedAt), Utc(job.StartedAt), Utc(job.FinishedAt),
            new JobProgress(job.Epoch, job.Epochs, fraction, eta), new LatestLoss(job.LatestTrainLoss, job.LatestValidationLoss), job.ModelId, job.Error);
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
    public static IQueryable<JobView> ToViews(this IQueryable<TrainingJob> jobs, IQueryable<EpochMetric> metrics) => jobs.Select(j => JobView.From(
        new TrainingJob
        {
            Id = j.Id, Name = j.Name, Status = j.Status, CreatedAt = j.CreatedAt, StartedAt = j.StartedAt, FinishedAt = j.FinishedAt,
            RequestJson = "", Epoch = j.Epoch, Epochs = j.Epochs, LatestTrainLoss = j.LatestTrainLoss, LatestValidationLoss = j.LatestValidationLoss,
            ModelId = j.ModelId, Error = j.Error,
        },
        metrics.Where(m => m.JobId == j.Id).Sum(m => m.Seconds)));
}

public sealed record JobProgress(int Epoch, int Epochs, double Fraction, double? EtaSeconds);

public sealed record LatestLoss(double? Train, double? Validation);

/// <summary>One row of <c>GET /api/jobs/{id}/losses</c>.</summary>
public sealed record EpochLoss(int Epoch, double TrainLoss, double? ValidationLoss, double LearningRate, double Seconds);

public sealed record JobPage(IReadOnlyList<JobView> Items, int Page, int PageSize, int Total);

// The hosted service that trains queued jobs: woken by the TrainingQueue, it claims the oldest
// queued job, runs it on its own thread, and records how it ended. Jobs a dead process left
// running are queued again at start-up and resume from their last checkpoint (or fail after
// Training:MaxCrashes deaths); on shutdown a running job stops within a batch, checkpoints its
// last finished epoch and goes back to the queue.
using LstmService.Engine.Training;
using LstmService.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LstmService.Api.Training;

public sealed class TrainingWorker(
    IDbContextFactory<LstmDbContext> databases, TrainingQueue queue, JobRunner runner,
    IOptions<WorkerOptions> options, TimeProvider clock, ILogger<TrainingWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var running = new List<Task>();
        int slots = Math.Max(1, options.Value.MaxConcurrentJobs);
        Task? signalled = null; // kept across rounds: a second pending read could swallow a signal
        bool recovered = false;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    if (!recovered) recovered = await RecoverInterruptedJobsAsync(stoppingToken);
                    running.RemoveAll(t => t.IsCompleted);
                    while (running.Count < slots && await ClaimNextAsync(stoppingToken) is { } jobId)
                        running.Add(Task.Factory.StartNew(() => RunJob(jobId, stoppingToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
                    // Wake on a new job, or when a running one ends and frees a slot.
                    signalled ??= queue.WaitAsync(stoppingToken);
                    await Task.WhenAny([signalled, .. running]);
                    if (signalled.IsCompleted) signalled = null;
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // A database hiccup must not stop the service: log, wait, try again.
                    logger.LogError(e, "The training worker could not reach the queue; retrying in 5 s");
                    await Task.Delay(TimeSpan.FromSeconds(5), clock, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Running jobs stop within a batch and go back to the queue before the host lets go of the database.
            await Task.WhenAll(running);
        }
    }

    // Jobs a dead process left running: each counts a crash and goes back to the queue, unless
    // its cancel was asked or it has now been running at MaxCrashes deaths in a row (a new
    // checkpoint resets the count), so that a job which kills the process (say, by running it
    // out of memory) cannot bring it down forever, while one that progresses between crashes goes on.
    private async Task<bool> RecoverInterruptedJobsAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var interrupted = db.Jobs.Where(j => j.Status == JobStatus.Running);
        await interrupted.Where(j => j.CancelRequested).ExecuteUpdateAsync(j => j
            .SetProperty(x => x.Status, JobStatus.Cancelled).SetProperty(x => x.FinishedAt, now).SetProperty(x => x.Checkpoint, (byte[]?)null), cancellationToken);
        await interrupted.ExecuteUpdateAsync(j => j.SetProperty(x => x.Crashes, x => x.Crashes + 1), cancellationToken);
        int maxCrashes = options.Value.MaxCrashes;
        int failed = maxCrashes <= 0 ? 0 : await interrupted.Where(j => j.Crashes >= maxCrashes).ExecuteUpdateAsync(j => j
            .SetProperty(x => x.Status, JobStatus.Failed).SetProperty(x => x.FinishedAt, now).SetProperty(x => x.Checkpoint, (byte[]?)null)
            .SetProperty(x => x.Error, $"The service stopped {maxCrashes} times in a row while training this job, without a new checkpoint in between (Training:MaxCrashes), so it was not started again."), cancellationToken);
        int requeued = await interrupted.ExecuteUpdateAsync(j => j.SetProperty(x => x.Status, JobStatus.Queued), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (failed > 0) logger.LogError("{Count} jobs were running when the service died {MaxCrashes} times; they are marked failed", failed, maxCrashes);
        if (requeued > 0) logger.LogWarning("Requeued {Count} jobs left running by a stopped process; they resume from their last checkpoint", requeued);
        return true;
    }

    // Queued → running for the oldest queued job.
    private async Task<string?> ClaimNextAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        while (true)
        {
            string? id = await db.Jobs.Where(j => j.Status == JobStatus.Queued).OrderBy(j => j.CreatedAt).Select(j => j.Id).FirstOrDefaultAsync(cancellationToken);
            if (id is null) return null;
            // Conditional on still being queued: a cancel between the read and this write wins.
            var now = clock.GetUtcNow().UtcDateTime;
            int claimed = await db.Jobs.Where(j => j.Id == id && j.Status == JobStatus.Queued).ExecuteUpdateAsync(j => j
                .SetProperty(x => x.Status, JobStatus.Running)
                .SetProperty(x => x.StartedAt, x => x.StartedAt ?? now)
                .SetProperty(x => x.Attempts, x => x.Attempts + 1), cancellationToken);
            if (claimed == 1) return id;
        }
    }

    private void RunJob(string jobId, CancellationToken stoppingToken)
    {
        using var cancel = queue.Track(jobId, stoppingToken);
        logger.LogInformation("Training job {JobId}", jobId);
        try
        {
            runner.Run(jobId, cancel.Token, stoppingToken);
            logger.LogInformation("Job {JobId} succeeded", jobId);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested && !CancelRequested(jobId))
        {
            Finish(jobId, JobStatus.Queued, null, "stopped by shutdown; it resumes after its last finished epoch at the next start");
        }
        catch (OperationCanceledException)
        {
            Finish(jobId, JobStatus.Cancelled, null, "cancelled");
        }
        catch (Exception e) when (e is TrainingDivergedException or ArgumentException or InvalidDataException or InvalidOperationException)
        {
            Finish(jobId, JobStatus.Failed, e.Message, "failed");
        }
        catch (Exception e)
        {
            logger.LogError(e, "Job {JobId} failed unexpectedly", jobId);
            Finish(jobId, JobStatus.Failed, "The job failed because of an internal error; the service log has the details.", "failed");
        }
        finally
        {
            queue.Untrack(jobId);
            queue.Signal(); // a slot is free
        }
    }

    private bool CancelRequested(string jobId)
    {
        using var db = databases.CreateDbContext();
        return db.Jobs.Where(j => j.Id == jobId).Select(j => j.CancelRequested).Single();
    }

    private void Finish(string jobId, JobStatus status, string? error, string what)
    {
        using var db = databases.CreateDbContext();
        var job = db.Jobs.Single(j => j.Id == jobId);
        job.Status = status;
        job.Error = error;
        if (status == JobStatus.Queued)
        {
            // Back to the last checkpoint: the epochs after it run again at the next start.
            db.EpochMetrics.Where(m => m.JobId == jobId && m.Epoch > job.CheckpointEpoch).ExecuteDelete();
            job.Epoch = job.CheckpointEpoch;
        }
        else
        {
            job.FinishedAt = clock.GetUtcNow().UtcDateTime;
            job.Checkpoint = null; // nothing will resume it
        }
        db.SaveChanges();
        // A failed job is an operator's business too: its reason at Warning, where logs are watched.
        if (status == JobStatus.Failed) logger.LogWarning("Job {JobId} failed: {Reason}", jobId, error);
        else logger.LogInformation("Job {JobId} {What}", jobId, what);
    }
}

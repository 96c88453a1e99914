// A job's life beyond success: cancelled, diverged, watched live, and carried across a restart.
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LstmService.Api.Jobs;
using LstmService.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LstmService.Api.Tests;

public class JobLifecycleTests
{
    // Long enough to be caught running, even while other test assemblies load the machine: 2000 epochs of 64 sequences.
    private static object LongJob(int epochs = 2000, int seed = 3) => TestRequests.SmallJob(TestRequests.SineSequences(64, 20), training: new
    {
        epochs, batchSize = 8, learningRate = 0.003, validationFraction = 0.25, seed,
    });

    [Fact]
    public async Task Cancelling_a_running_job_ends_it_cancelled_with_its_losses_kept()
    {
        using var app = new LstmApplication();
        var client = new ServiceClient(app.CreateClient());
        var job = await client.PostJobAsync(LongJob());
        await client.WaitAsync(job.Id, j => j.Progress.Epoch >= 2);

        var response = await client.Http.PostAsync($"/api/jobs/{job.Id}/cancel", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var done = await client.WaitAsync(job.Id, seconds: 10);
        Assert.Equal(JobStatus.Cancelled, done.Status);
        Assert.Null(done.ModelId);
        var losses = await client.LossesAsync(job.Id);
        Assert.InRange(losses.Count, 2, 1999);
        Assert.Equal(Enumerable.Range(1, losses.Count), losses.Select(l => l.Epoch));

        var again = await client.Http.PostAsync($"/api/jobs/{job.Id}/cancel", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task Cancelling_a_queued_job_ends_it_before_it_starts()
    {
        using var app = new LstmApplication();
        var client = new ServiceClient(app.CreateClient());
        var running = await client.PostJobAsync(LongJob());
        var queued = await client.PostJobAsync(LongJob()); // one job at a time: this one waits
        Assert.Equal(JobStatus.Queued, (await client.GetJobAsync(queued.Id)).Status);
        await client.Http.PostAsync($"/api/jobs/{queued.Id}/cancel", null);
        Assert.Equal(JobStatus.Cancelled, (await client.GetJobAsync(queued.Id)).Status);
        Assert.Null((await client.GetJobAsync(queued.Id)).StartedAt);
        await client.Http.PostAsync($"/api/jobs/{running.Id}/cancel", null);
        await client.WaitAsync(running.Id);
    }

    [Fact]
    public async Task Deleting_a_job_takes_its_losses_and_leaves_its_model_and_a_running_job_must_be_cancelled_first()
    {
        using var app = new LstmApplication();
        var client = new ServiceClient(app.CreateClient());
        var running = await client.PostJobAsync(LongJob());
        await client.WaitAsync(running.Id, j => j.Progress.Epoch >= 1);
        var refused = await client.Http.DeleteAsync($"/api/jobs/{running.Id}");
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("cancel it", await refused.Content.ReadAsStringAsync());
        await client.Http.PostAsync($"/api/jobs/{running.Id}/cancel", null);
        await client.WaitAsync(running.Id);

        var finished = await client.WaitAsync((await client.PostJobAsync(LongJob(epochs: 2))).Id);
        Assert.Equal(HttpStatusCode.NoContent, (await client.Http.DeleteAsync($"/api/jobs/{finished.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.Http.GetAsync($"/api/jobs/{finished.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.Http.DeleteAsync($"/api/jobs/{finished.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.Http.GetAsync($"/api/models/{finished.ModelId}")).StatusCode);
        using (var scope = app.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<LstmDbContext>();
            Assert.Equal(0, await db.EpochMetrics.CountAsync(m => m.JobId == finished.Id));
            Assert.True(await db.EpochMetrics.AnyAsync(m => m.JobId == running.Id)); // the other job's losses stay
        }
        Assert.Equal(HttpStatusCode.NoContent, (await client.Http.DeleteAsync($"/api/jobs/{running.Id}")).StatusCode);
    }

    [Fact]
    public async Task A_diverging_job_fails_with_a_message_naming_the_epoch()
    {
        using var app = new LstmApplication();
        var client = new ServiceClient(app.CreateClient());
        var huge = Enumerable.Range(0, 8).Select(n => (object)new { inputs = new[] { new[] { 1.0 * n } }, target = new[] { 1e200 } }).ToArray();
        var job = await client.PostJobAsync(new
        {
            data = new { sequences = huge },
            model = new { hiddenSize = 4, output = new { kind = "dense", size = 1, steps = "last" } },
            training = new { epochs = 5, optimizer = "sgd", learningRate = 1.0, clipNorm = (double?)null, normalize = false, validationFraction = 0.0, precision = "float64" },
        });
        var done = await client.WaitAsync(job.Id);
        Assert.Equal(JobStatus.Failed, done.Status);
        Assert.Contains("diverged in epoch 1", done.Error);
    }

    [Fact]
    public async Task The_event_stream_delivers_every_epoch_then_ends()
    {
        using var app = new LstmApplication();
        var client = new ServiceClient(app.CreateClient());
        var job = await client.PostJobAsync(TestRequests.SmallJob(TestRequests.SineSequences(16, 8), training: new { epochs = 6, batchSize = 4, seed = 1 }));
        using var response = await client.Http.GetAsync($"/api/jobs/{job.Id}/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync(); // returns when the server closes the stream

        var events = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e.Split('\n')).ToList();
        var epochs = events.Where(e => e[0] == "event: epoch").Select(e => JsonSerializer.Deserialize<EpochLoss>(e[1]["data: ".Length..], ServiceClient.Json)!).ToList();
        Assert.Equal(Enumerable.Range(1, 6), epochs.Select(e => e.Epoch));
        Assert.Equal("event: end", events[^1][0]);
        Assert.Contains("\"status\":\"succeeded\"", events[^1][1]);
    }

    [Fact]
    public async Task A_job_stopped_with_the_host_checkpoints_every_finished_epoch_and_ends_as_if_never_stopped()
    {
        // No periodic checkpoint falls due: what the stopped job keeps, the graceful stop saved.
        var (folder, settings, id) = await StartThenStopHostMidJobAsync(epochs: 200, checkpointSeconds: 3600);

        await using (var db = Open(folder))
        {
            var stopped = await db.Jobs.SingleAsync(j => j.Id == id);
            Assert.Equal(JobStatus.Queued, stopped.Status);
            Assert.InRange(stopped.CheckpointEpoch, 3, 199);
            Assert.Equal(stopped.Epoch, stopped.CheckpointEpoch);
            Assert.Equal(stopped.CheckpointEpoch, await db.EpochMetrics.CountAsync(m => m.JobId == id));
            Assert.NotNull(stopped.Checkpoint);
            Assert.Equal(0, stopped.Crashes);
        }

        settings.Remove("KeepData");
        await AssertResumesAsAnUninterruptedRun(settings, folder, id, epochs: 200);
    }

    [Fact]
    public async Task The_event_stream_is_live_and_ends_when_the_job_does()
    {
        using var app = new LstmApplication();
        var client = new ServiceClient(app.CreateClient());
        var job = await client.PostJobAsync(LongJob(epochs: 5000));
        using var response = await client.Http.GetAsync($"/api/jobs/{job.Id}/events", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal("event: epoch", await reader.ReadLineAsync());

        await client.Http.PostAsync($"/api/jobs/{job.Id}/cancel", null);
        string? line, last = null;
        while ((line = await reader.ReadLineAsync()) is not null)
            if (line.StartsWith("event: ")) last = line + "\n" + await reader.ReadLineAsync();
        Assert.StartsWith("event: end", last);
        Assert.Contains("\"status\":\"cancelled\"", last);
    }

    [Fact]
    public async Task A_job_left_running_by_a_dead_process_resumes_and_writes_each_epoch_once()
    {
        var (folder, settings, id) = await StartThenStopHostMidJobAsync(epochs: 200);
        // What a killed process leaves: the job still "running", and epochs written after its last checkpoint.
        await using (var db = Open(folder))
        {
            var job = await db.Jobs.SingleAsync(j => j.Id == id);
            Assert.Equal(JobStatus.Queued, job.Status); // stopped mid-run, as the test needs
            job.Status = JobStatus.Running;
            db.EpochMetrics.AddRange(
                new EpochMetric { JobId = id, Epoch = job.CheckpointEpoch + 1, TrainLoss = -1 },
                new EpochMetric { JobId = id, Epoch = job.CheckpointEpoch + 2, TrainLoss = -1 });
            await db.SaveChangesAsync();
        }

        settings.Remove("KeepData");
        await AssertResumesAsAnUninterruptedRun(settings, folder, id, epochs: 200);
    }

    [Fact]
    public async Task A_job_the_process_died_under_MaxCrashes_times_fails_instead_of_starting_again()
    {
        var (folder, settings, id) = await StartThenStopHostMidJobAsync(epochs: 200);
        int kept;
        await using (var db = Open(folder))
        {
            // The process died under it once before, and now again: it is found running at start-up.
            var job = await db.Jobs.SingleAsync(j => j.Id == id);
            (job.Status, job.Crashes) = (JobStatus.Running, 1);
            await db.SaveChangesAsync();
            kept = await db.EpochMetrics.CountAsync(m => m.JobId == id);
        }

        settings["Training:MaxCrashes"] = "2";
        settings.Remove("KeepData");
        using var second = new LstmApplication(settings, folder);
        var client = new ServiceClient(second.CreateClient());
        var failed = await client.WaitAsync(id);
        Assert.Equal(JobStatus.Failed, failed.Status);
        Assert.Contains("stopped 2 times", failed.Error);
        Assert.Contains("Training:MaxCrashes", failed.Error);
        Assert.Equal(kept, (await client.LossesAsync(id)).Count);
    }

    [Fact]
    public async Task A_job_that_progresses_between_crashes_goes_on_and_its_count_starts_again()
    {
        var (folder, settings, id) = await StartThenStopHostMidJobAsync(epochs: 200);
        await using (var db = Open(folder))
        {
            var job = await db.Jobs.SingleAsync(j => j.Id == id);
            (job.Status, job.Crashes) = (JobStatus.Running, 1); // this is its second death in a row
            await db.SaveChangesAsync();
        }

        settings["Training:MaxCrashes"] = "3";
        settings.Remove("KeepData");
        using var second = new LstmApplication(settings, folder);
        var client = new ServiceClient(second.CreateClient());
        Assert.Equal(JobStatus.Succeeded, (await client.WaitAsync(id, seconds: 300)).Status);
        await using var after = await second.Services.GetRequiredService<IDbContextFactory<LstmDbContext>>().CreateDbContextAsync();
        Assert.Equal(0, (await after.Jobs.SingleAsync(j => j.Id == id)).Crashes); // its first new checkpoint reset it
    }

    // A host (checkpointing after every epoch unless told otherwise, keeping its data folder) that
    // takes a job and is stopped once the job has run a few epochs; the job goes back to the queue.
    private static async Task<(string Folder, Dictionary<string, string?> Settings, string Id)> StartThenStopHostMidJobAsync(int epochs, int checkpointSeconds = 0)
    {
        var folder = Path.Combine(Path.GetTempPath(), "lstm-tests", Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string?> { ["Training:CheckpointSeconds"] = $"{checkpointSeconds}", ["KeepData"] = "yes" };
        using var first = new LstmApplication(settings, folder);
        var client = new ServiceClient(first.CreateClient());
        string id = (await client.PostJobAsync(LongJob(epochs))).Id;
        await client.WaitAsync(id, j => j.Progress.Epoch >= 3);
        return (folder, settings, id);
    }

    // A new host on the same database finishes the job; its loss history has each epoch once and
    // equals, bit for bit, that of the same job run without a stop.
    private static async Task AssertResumesAsAnUninterruptedRun(Dictionary<string, string?> settings, string folder, string id, int epochs)
    {
        List<EpochLoss> resumed;
        using (var second = new LstmApplication(settings, folder))
        {
            var client = new ServiceClient(second.CreateClient());
            var done = await client.WaitAsync(id, seconds: 300);
            Assert.True(done.Status == JobStatus.Succeeded, done.Error);
            resumed = await client.LossesAsync(id);
        }
        Assert.Equal(Enumerable.Range(1, epochs), resumed.Select(l => l.Epoch));

        using var reference = new LstmApplication();
        var referenceClient = new ServiceClient(reference.CreateClient());
        var uninterrupted = await referenceClient.PostJobAsync(LongJob(epochs));
        await referenceClient.WaitAsync(uninterrupted.Id, seconds: 300);
        var expected = await referenceClient.LossesAsync(uninterrupted.Id);
        Assert.Equal(expected.Select(l => (l.TrainLoss, l.ValidationLoss)), resumed.Select(l => (l.TrainLoss, l.ValidationLoss)));
    }

    private static LstmDbContext Open(string folder) =>
        new(new DbContextOptionsBuilder<LstmDbContext>().UseSqlite($"Data Source={Path.Combine(folder, "lstm.db")};Pooling=False").Options);

    [Fact]
    public async Task Epoch_seconds_hold_the_database_writes_so_they_sum_to_the_wall_time()
    {
        // Each epoch's write made 30 ms slower than the epoch's own training (a few ms here).
        using var app = new LstmApplication();
        using var slow = app.WithWebHostBuilder(b => b.ConfigureServices(services =>
            services.ConfigureDbContext<LstmDbContext>(o => o.AddInterceptors(new SlowEpochWrites(TimeSpan.FromMilliseconds(30))))));
        var client = new ServiceClient(slow.CreateClient());
        var job = await client.PostJobAsync(TestRequests.SmallJob(TestRequests.SineSequences(8, 4), epochs: 12));
        var done = await client.WaitAsync(job.Id);
        Assert.Equal(JobStatus.Succeeded, done.Status);

        var losses = await client.LossesAsync(job.Id);
        // Every epoch after the first carries the write of the one before it.
        Assert.All(losses.Skip(1), l => Assert.True(l.Seconds >= 0.03, $"epoch {l.Epoch}: {l.Seconds} s"));
        double wall = (done.FinishedAt!.Value - done.StartedAt!.Value).TotalSeconds;
        Assert.True(losses.Sum(l => l.Seconds) >= 11 * 0.03 && losses.Sum(l => l.Seconds) <= wall, $"{losses.Sum(l => l.Seconds)} s of {wall} s");
    }

    private sealed class SlowEpochWrites(TimeSpan delay) : Microsoft.EntityFrameworkCore.Diagnostics.SaveChangesInterceptor
    {
        public override Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<int> SavingChanges(
            Microsoft.EntityFrameworkCore.Diagnostics.DbContextEventData eventData, Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<int> result)
        {
            if (eventData.Context!.ChangeTracker.Entries<EpochMetric>().Any(e => e.State == EntityState.Added)) Thread.Sleep(delay);
            return result;
        }
    }
}

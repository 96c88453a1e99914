// Jobs survive the process: the published service, killed with SIGKILL at random points of a
// job's life and stopped once with SIGTERM, restarted each time, ends the job as if nothing happened.
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using LstmService.Api.Jobs;
using LstmService.Persistence;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace LstmService.Api.Tests;

public class CrashTests(ITestOutputHelper output)
{
    private const int Epochs = 240;
    private const int Kills = 6;

    // About 10–30 ms an epoch: long enough to be caught mid-run at any epoch on a fast machine.
    private static object Job() => TestRequests.SmallJob(TestRequests.SineSequences(160, 30), training: new
    {
        epochs = Epochs, batchSize = 8, learningRate = 0.003, validationFraction = 0.25, seed = 11,
    });

    private static readonly Dictionary<string, string> Settings = new()
    {
        ["Training:CheckpointSeconds"] = "0.2",
        ["Training:MaxCrashes"] = "0", // two kills can come before a checkpoint: more in a row than the default allows
        ["Logging:LogLevel:Default"] = "Warning",
    };

    [Fact]
    public async Task A_job_killed_at_random_points_ends_succeeded_with_each_epoch_once_and_the_losses_of_an_uninterrupted_run()
    {
        var (expectedLosses, expectedOutputs) = await RunUninterruptedAsync();

        int seed = Environment.TickCount;
        output.WriteLine($"random seed {seed}");
        var random = new Random(seed);
        // Where to stop: distinct epochs in order, the third stop a graceful one (SIGTERM).
        var stops = Enumerable.Range(5, Epochs - 40).OrderBy(_ => random.Next()).Take(Kills + 1).Order().ToArray();
        string folder = NewFolder();
        string? id = null;
        try
        {
            for (int stop = 0; stop < stops.Length; stop++)
            {
                await using var service = await ServiceProcess.StartAsync(folder, Settings);
                id ??= (await service.Client.PostJobAsync(Job())).Id;
                var job = await service.Client.WaitAsync(id, j => j.Progress.Epoch >= stops[stop] || j.Status == JobStatus.Succeeded, seconds: 300);
                Assert.True(job.Status == JobStatus.Running, $"The job was {job.Status} before stop {stop + 1} at epoch {stops[stop]}");
                await Task.Delay(random.Next(0, 30)); // anywhere in the epoch, a checkpoint write or a loss write
                if (stop == 2)
                {
                    int exitCode = await service.StopAsync(TimeSpan.FromSeconds(30));
                    Assert.True(exitCode == 0, service.Log);
                    await AssertGracefullyStoppedAsync(folder, id);
                }
                else
                {
                    await service.KillAsync();
                }
                output.WriteLine($"stop {stop + 1}: {(stop == 2 ? "SIGTERM" : "SIGKILL")} at epoch {job.Progress.Epoch} or a little after");
            }

            Assert.NotNull(id);
            await using var last = await ServiceProcess.StartAsync(folder, Settings);
            var done = await last.Client.WaitAsync(id, seconds: 300);
            Assert.True(done.Status == JobStatus.Succeeded, $"{done.Status}: {done.Error}\n{last.Log}");
            var losses = await last.Client.LossesAsync(id);
            Assert.Equal(Enumerable.Range(1, Epochs), losses.Select(l => l.Epoch));
            Assert.Equal(expectedLosses, losses.Select(l => (l.TrainLoss, l.ValidationLoss)));
            Assert.Equal(expectedOutputs, await PredictAsync(last.Client, done.ModelId!));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    // The same job on a service that is never stopped: its losses, and its model's predictions.
    private static async Task<(List<(double, double?)> Losses, string Outputs)> RunUninterruptedAsync()
    {
        string folder = NewFolder();
        try
        {
            await using var service = await ServiceProcess.StartAsync(folder, Settings);
            string id = (await service.Client.PostJobAsync(Job())).Id;
            var done = await service.Client.WaitAsync(id, seconds: 300);
            Assert.True(done.Status == JobStatus.Succeeded, done.Error);
            var losses = await service.Client.LossesAsync(id);
            return (losses.Select(l => (l.TrainLoss, l.ValidationLoss)).ToList(), await PredictAsync(service.Client, done.ModelId!));
        }
        finally { try { Directory.Delete(folder, recursive: true); } catch (IOException) { } }
    }

    // After SIGTERM the job is back in the queue with every finished epoch checkpointed.
    private static async Task AssertGracefullyStoppedAsync(string folder, string id)
    {
        await using var db = Open(folder);
        var job = await db.Jobs.SingleAsync(j => j.Id == id);
        Assert.Equal(JobStatus.Queued, job.Status);
        Assert.Equal(job.Epoch, job.CheckpointEpoch);
        Assert.Equal(job.CheckpointEpoch, await db.EpochMetrics.CountAsync(m => m.JobId == id));
    }

    private static async Task<string> PredictAsync(ServiceClient client, string modelId)
    {
        var sequences = new[] { new[] { new[] { 0.1, 0.9 }, new[] { 0.4, 0.6 }, new[] { 0.7, 0.2 } } };
        var response = await client.Http.PostAsJsonAsync($"/api/models/{modelId}/predict", new { sequences }, ServiceClient.Json);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["outputs"]!.ToJsonString();
    }

    private static string NewFolder() => Path.Combine(Path.GetTempPath(), "lstm-tests", Guid.NewGuid().ToString("N"));

    private static LstmDbContext Open(string folder) =>
        new(new DbContextOptionsBuilder<LstmDbContext>().UseSqlite($"Data Source={Path.Combine(folder, "lstm.db")};Pooling=False").Options);
}

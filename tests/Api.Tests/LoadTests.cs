// Many clients at once on the published service over loopback: 50 of them for 60 s (LSTM_LOAD_SECONDS
// to change it), each submitting small jobs, reading their progress and predicting, 100 ms apart
// (LSTM_LOAD_THINK_MS). Every request
// succeeds, no "database is locked" reaches the log, every job completes. The latencies are
// printed, not asserted: speed lives in benchmarks (docs/dev/operations-log.md reports a quiet run).
using System.Diagnostics;
using System.Net.Http.Json;
using LstmService.Api.Jobs;
using LstmService.Persistence;
using Xunit.Abstractions;

namespace LstmService.Api.Tests;

public class LoadTests(ITestOutputHelper output)
{
    private const int Clients = 50;

    private static object SmallJob(int client, int n) => TestRequests.SmallJob(TestRequests.SineSequences(8, 10, seed: client * 1000 + n),
        training: new { epochs = 5, batchSize = 4, learningRate = 0.01, validationFraction = 0.25, seed = n }, name: $"load {client}.{n}");

    private static readonly object[][][] PredictSequences = [[[0.1, 0.9], [0.4, 0.6], [0.7, 0.2]]];

    [Fact]
    public async Task Fifty_clients_submitting_reading_and_predicting_get_no_errors_and_every_job_completes()
    {
        double seconds = double.TryParse(Environment.GetEnvironmentVariable("LSTM_LOAD_SECONDS"), out var s) ? s : 60;
        int thinkMs = int.TryParse(Environment.GetEnvironmentVariable("LSTM_LOAD_THINK_MS"), out var t) ? t : 100;
        string folder = Path.Combine(Path.GetTempPath(), "lstm-tests", Guid.NewGuid().ToString("N"));
        try
        {
            // Each client has an admin key of its own, so the keys and the per-key rate limits are on the path too.
            var keys = Enumerable.Range(0, Clients + 1).Select(c => $"load-test-admin-key-{c:D3}").ToArray();
            var settings = keys.Select((key, i) => KeyValuePair.Create($"Auth:AdminKeys:{i}", key)).ToDictionary();
            settings["Logging:LogLevel:Default"] = "Warning";
            settings["RateLimits:JobsPerMinute"] = "600"; // a client here submits about a job a second, far above what the default (60) means for real jobs
            await using var service = await ServiceProcess.StartAsync(folder, settings);
            var admin = service.CreateClient(keys[0]);
            var first = await admin.WaitAsync((await admin.PostJobAsync(SmallJob(0, 0))).Id);
            string modelId = first.ModelId!;

            var deadline = DateTime.UtcNow.AddSeconds(seconds);
            var results = await Task.WhenAll(Enumerable.Range(1, Clients).Select(c => RunClientAsync(service.CreateClient(keys[c]), c, modelId, deadline, thinkMs)));
            var all = results.SelectMany(r => r).ToList();

            // Whatever is still queued when the clients stop must finish too.
            async Task<JobPage> Jobs(string status) => (await admin.Http.GetFromJsonAsync<JobPage>($"/api/jobs?status={status}&pageSize=500", ServiceClient.Json))!;
            var drained = DateTime.UtcNow.AddSeconds(600);
            while ((await Jobs("queued")).Total + (await Jobs("running")).Total > 0 && DateTime.UtcNow < drained) await Task.Delay(200);
            int total = (await admin.Http.GetFromJsonAsync<JobPage>("/api/jobs?pageSize=1", ServiceClient.Json))!.Total;
            int succeeded = (await Jobs("succeeded")).Total;

            foreach (var kind in all.GroupBy(r => r.Kind))
            {
                var ms = kind.Select(r => r.Milliseconds).Order().ToArray();
                output.WriteLine($"{kind.Key}: {ms.Length} requests, p50 {Percentile(ms, 0.50):F1} ms, p99 {Percentile(ms, 0.99):F1} ms, max {ms[^1]:F1} ms");
            }
            output.WriteLine($"{Clients} clients, {seconds} s, think {thinkMs} ms, {all.Count} requests ({all.Count / seconds:F0}/s), {total} jobs");
            Assert.Empty(all.Where(r => r.Error is not null).Select(r => $"{r.Kind}: {r.Error}").Take(10));
            Assert.True(succeeded == total, $"{succeeded} of {total} jobs succeeded");
            Assert.DoesNotContain("database is locked", service.Log, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("fail:", service.Log);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    // One client: submits a job, reads its progress and predicts until it ends, reads its losses, again.
    private static async Task<List<Request>> RunClientAsync(ServiceClient client, int number, string modelId, DateTime deadline, int thinkMs)
    {
        var requests = new List<Request>();
        async Task<T?> Timed<T>(string kind, Func<Task<HttpResponseMessage>> send, Func<HttpResponseMessage, Task<T>> read)
        {
            var clock = Stopwatch.StartNew();
            try
            {
                using var response = await send();
                var value = await read(response);
                requests.Add(new(kind, clock.Elapsed.TotalMilliseconds, response.IsSuccessStatusCode ? null : $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}"));
                return response.IsSuccessStatusCode ? value : default;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                requests.Add(new(kind, clock.Elapsed.TotalMilliseconds, e.Message));
                return default;
            }
        }

        for (int n = 1; DateTime.UtcNow < deadline; n++)
        {
            var job = await Timed("submit", () => client.Http.PostAsJsonAsync("/api/jobs", SmallJob(number, n), ServiceClient.Json),
                r => r.Content.ReadFromJsonAsync<JobView>(ServiceClient.Json));
            if (job is null) continue;
            while (DateTime.UtcNow < deadline)
            {
                var read = await Timed("read progress", () => client.Http.GetAsync($"/api/jobs/{job.Id}"), r => r.Content.ReadFromJsonAsync<JobView>(ServiceClient.Json));
                await Timed("predict", () => client.Http.PostAsJsonAsync($"/api/models/{modelId}/predict", new { sequences = PredictSequences }, ServiceClient.Json),
                    r => r.Content.ReadAsStringAsync());
                if (read?.Status is JobStatus.Succeeded or JobStatus.Failed or JobStatus.Cancelled) break;
                await Task.Delay(thinkMs); // a client's think time between polls
            }
            await Timed("read losses", () => client.Http.GetAsync($"/api/jobs/{job.Id}/losses"), r => r.Content.ReadAsStringAsync());
        }
        return requests;
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private sealed record Request(string Kind, double Milliseconds, string? Error);
}

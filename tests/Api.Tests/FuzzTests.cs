// Hostile input gets nowhere: thousands of malformed requests over every endpoint, each answered
// with a 4xx problem-details response; afterwards nothing was written, the service still answers,
// and its memory did not grow. Deterministic: the seed is printed, and so is every failing request.
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using LstmService.Api.Tests.Fuzz;
using LstmService.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace LstmService.Api.Tests;

/// <summary>Alone, after the parallel tests, so that process memory is this test's own.</summary>
[CollectionDefinition(nameof(FuzzTests), DisableParallelization = true)]
public sealed class FuzzCollection;

[Collection(nameof(FuzzTests))]
public class FuzzTests(ITestOutputHelper output)
{
    private const int Seed = 20261126;
    private const long MaxBodyBytes = 1 << 20; // a lowered limit, so that the oversized bodies stay cheap

    [Fact]
    public async Task Thousands_of_malformed_requests_get_4xx_problems_and_change_nothing()
    {
        using var app = new LstmApplication(new()
        {
            ["Limits:MaxRequestBodyBytes"] = MaxBodyBytes.ToString(),
            ["Auth:AdminKeys:0"] = FuzzTargets.AdminKey, ["Auth:PredictKeys:0"] = FuzzTargets.PredictKey,
            ["RateLimits:PredictPerSecond"] = "0", ["RateLimits:JobsPerMinute"] = "0", // 2,000 requests in seconds: not what this test is about
        });
        var http = app.CreateClient();
        http.DefaultRequestHeaders.Add("X-Api-Key", FuzzTargets.AdminKey); // the setup's valid requests
        var client = new ServiceClient(http);
        var targets = await SetUp(client);
        var rowsBefore = await CountRows(app);
        long heapBefore = GC.GetTotalMemory(forceFullCollection: true);

        var requests = new MalformedRequests(targets, Seed, MaxBodyBytes).All().ToList();
        var anonymous = app.CreateClient(); // each request sends its own key, or none
        output.WriteLine($"seed {Seed}: {requests.Count} malformed requests");
        var failures = new List<string>();
        var clock = Stopwatch.StartNew();
        foreach (var request in requests)
            if (await Check(anonymous, request) is { } failure) failures.Add(failure);
        clock.Stop();

        long heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        long peak = Process.GetCurrentProcess().PeakWorkingSet64;
        foreach (var kind in requests.GroupBy(r => r.Kind).OrderBy(g => g.Key, StringComparer.Ordinal))
            output.WriteLine($"{kind.Count(),5}  {kind.Key}");
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s; managed heap {heapBefore >> 20} → {heapAfter >> 20} MiB; peak working set {peak >> 20} MiB");

        Assert.True(failures.Count == 0, $"seed {Seed}: {failures.Count} of {requests.Count} requests answered wrongly:\n{string.Join("\n", failures.Take(200))}");
        Assert.True(requests.Count >= 2000, $"only {requests.Count} requests");
        Assert.Equal(rowsBefore, await CountRows(app));
        // A request's body (at most 1 MiB here) kept after its answer would grow the heap by its size
        // in every one of 2,000 requests; 64 MiB is far above noise and far below any such leak.
        Assert.True(heapAfter - heapBefore < 64L << 20, $"the managed heap grew from {heapBefore >> 20} to {heapAfter >> 20} MiB");
        // The test host with its service and two models runs in a few hundred MiB; one request
        // expanding without bound (a 10,000-deep array, a lying safetensors length) would pass 2 GiB.
        Assert.True(peak < 2L << 30, $"peak working set {peak >> 20} MiB");

        var (status, answer) = await client.PostAsync($"/api/models/{targets.RegressionModelId}/predict", new { sequences = new[] { new[] { new[] { 0.1, 0.2 } } } });
        Assert.True(status == HttpStatusCode.OK, answer?.ToJsonString());
    }

    /// <summary>Null when the answer is right for the request; else what went wrong, with the request.</summary>
    private static async Task<string?> Check(HttpClient http, MalformedRequest request)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request.ToMessage());
        }
        catch (Exception e)
        {
            return $"no answer: {e.GetType().Name}: {e.Message}\n    for {request}";
        }
        using var _ = response;
        int status = (int)response.StatusCode;
        string body = await response.Content.ReadAsStringAsync();
        string Fail(string why) => $"{why}: {status} {body[..Math.Min(body.Length, 300)]}\n    for {request}";
        if (!request.Expected.Contains(status)) return Fail($"expected {string.Join(" or ", request.Expected)}");
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json") return Fail($"content type {response.Content.Headers.ContentType}");
        if (status != 400) return null;
        var errors = JsonNode.Parse(body)?["errors"]?.AsObject();
        if (errors is null || errors.Count == 0) return Fail("a 400 that names no field");
        if (request.Field is { } field && !errors.Any(e => e.Key == field || e.Key.StartsWith(field, StringComparison.Ordinal) || field.StartsWith(e.Key, StringComparison.Ordinal)))
            return Fail($"a 400 that does not name {field}");
        return null;
    }

    /// <summary>Two datasets, two trained models (a regression and a forecaster), a finished job, an exported file.</summary>
    private static async Task<FuzzTargets> SetUp(ServiceClient client)
    {
        var csv = "v\n" + string.Join("\n", Enumerable.Range(0, 30).Select(t => Math.Sin(0.4 * t).ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        string series = await IdOf(await client.Http.PostAsync("/api/datasets?name=series", new StringContent(csv, Encoding.UTF8, "text/csv")));
        string sequences = await IdOf(await client.Http.PostAsJsonAsync("/api/datasets", new { name = "sequences", sequences = TestRequests.SineSequences(6, 4) }));
        var regression = await client.PostJobAsync(TestRequests.SmallJob(TestRequests.SineSequences(8, 4), epochs: 1));
        var forecaster = await client.PostJobAsync(new { datasetId = series, model = new { hiddenSize = 6 }, training = new { window = 4, epochs = 1 } });
        string regressionModel = (await client.WaitAsync(regression.Id)).ModelId!, forecastModel = (await client.WaitAsync(forecaster.Id)).ModelId!;
        var file = await client.Http.GetByteArrayAsync($"/api/models/{regressionModel}/weights");
        return new FuzzTargets(regressionModel, forecastModel, sequences, series, regression.Id, file);
    }

    private static async Task<string> IdOf(HttpResponseMessage created)
    {
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<string>();
    }

    private static async Task<(int Jobs, int Models, int Datasets, int Epochs)> CountRows(LstmApplication app)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<LstmDbContext>>().CreateDbContextAsync();
        return (await db.Jobs.CountAsync(), await db.Models.CountAsync(), await db.Datasets.CountAsync(), await db.EpochMetrics.CountAsync());
    }
}

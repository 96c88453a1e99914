// The edges a careless or hostile client finds: null sections, numbers beyond float32, oversized
// bodies and answers, odd CSV headers, huge page numbers, racing a cancel, deleting what a job
// needs, models that do not match.
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using LstmService.Api.Jobs;
using LstmService.Persistence;

namespace LstmService.Api.Tests;

public class EdgeCaseTests
{
    private static readonly string PerStep = """{"inputs":[[1],[2]],"targets":[[1],[2]]}""";

    [Fact]
    public async Task A_null_section_means_its_defaults()
    {
        using var app = new LstmApplication();
        var client = new ServiceClient(app.CreateClient());
        var (status, body) = await client.PostRawAsync("/api/jobs", "{\"data\":{\"sequences\":[" + PerStep + "," + PerStep + "]},\"model\":null,\"training\":null}");
        Assert.Equal(HttpStatusCode.Accepted, status);
        var (again, _) = await client.PostRawAsync("/api/jobs", "{\"data\":{\"sequences\":[" + PerStep + "," + PerStep + "]},\"model\":{\"output\":null},\"training\":{\"epochs\":1}}");
        Assert.Equal(HttpStatusCode.Accepted, again);
        await client.WaitAsync(body!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Numbers_beyond_float32_are_400s_for_jobs_and_predictions()
    {
        using var app = new LstmApplication();
        var client = new ServiceClient(app.CreateClient());
        var (status, problem) = await client.PostRawAsync("/api/jobs", """{"data":{"sequences":[{"inputs":[[1e39]],"targets":[[1]]}]},"training":{"normalize":false}}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("float32", problem!["errors"]!["data"]![0]!.GetValue<string>());

        var job = await client.PostJobAsync(TestRequests.SmallJob(TestRequests.SineSequences(8, 4), epochs: 1));
        var model = (await client.WaitAsync(job.Id)).ModelId;
        (status, problem) = await client.PostRawAsync($"/api/models/{model}/predict", """{"sequences":[[[1e300, 1]]]}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.NotNull(problem!["errors"]!["sequences"]);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413_with_problem_details()
    {
        using var app = new LstmApplication(new() { ["Limits:MaxRequestBodyBytes"] = "2000" });
        var client = new ServiceClient(app.CreateClient());
        var big = "{\"data\":{\"sequences\":[" + string.Join(",", Enumerable.Repeat(PerStep, 100)) + "]}}";
        var (status, problem) = await client.PostRawAsync("/api/jobs", big);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal(413, problem!["status"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_answer_too_large_to_send_is_refused_before_computing_it()
    {
        using var app = new LstmApplication(new() { ["Limits:MaxPredictedValues"] = "100" });
        var client = new ServiceClient(app.CreateClient());
        var job = await client.PostJobAsync(new
        {
            data = new { sequences = new[] { new { inputs = new[] { new[] { 1.0 }, [2] }, targets = new[] { new[] { 1.0 }, [2] } } } },
            training = new { epochs = 1, validationFraction = 0.0 },
        });
        var model = (await client.WaitAsync(job.Id)).ModelId;
        var (status, problem) = await client.PostAsync($"/api/models/{model}/predict", new { sequences = new[] { Enumerable.Repeat(new[] { 1.0 }, 101).ToArray() } });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("at most 100", problem!["errors"]!["sequences"]![0]!.GetValue<string>());
    }

    [Theory]
    [InlineData("a,a\n1,2\n3,4\n")]
    [InlineData(",b\n1,2\n3,4\n")]
    [InlineData("")]
    public async Task A_bad_csv_header_is_a_400(string csv)
    {
        using var app = new LstmApplication();
        var response = await app.CreateClient().PostAsync("/api/datasets?name=x", new StringContent(csv, System.Text.Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_job_list_filters_by_the_status_names_the_api_writes()
    {
        using var app = new LstmApplication();
        var client = new ServiceClient(app.CreateClient());
        var job = await client.WaitAsync((await client.PostJobAsync(TestRequests.SmallJob(TestRequests.SineSequences(8, 5)))).Id);
        Assert.Equal(JobStatus.Succeeded, job.Status);
        foreach (var status in new[] { "succeeded", "Succeeded", "SUCCEEDED" })
            Assert.Equal([job.Id], (await client.Http.GetFromJsonAsync<JobPage>($"/api/jobs?status={status}", ServiceClient.Json))!.Items.Select(j => j.Id));
        Assert.Empty((await client.Http.GetFromJsonAsync<JobPage>("/api/jobs?status=queued", ServiceClient.Json))!.Items);
    }

    [Theory]
    [InlineData("page=2147483647&pageSize=500", "page")]
    [InlineData("page=abc", "page")]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("status=bogus", "status")]
    [InlineData("status=7", "status")]
    public async Task Bad_query_parameters_are_400s_naming_them(string query, string field)
    {
        using var app = new LstmApplication();
        var response = await app.CreateClient().GetAsync($"/api/jobs?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await response.Content.ReadFromJsonAsync<JsonNode>())!["errors"]![field]);
    }

    [Fact]
    public async Task A_window_that_would_copy_too_much_is_a_400()
    {
        using var app = new LstmApplication(new() { ["Limits:MaxTrainingValues"] = "10000" });
        var client = new ServiceClient(app.CreateClient());
        var csv = "v\n" + string.Join("\n", Enumerable.Range(0, 2000).Select(t => (t % 7).ToString()));
        var upload = await client.Http.PostAsync("/api/datasets?name=long", new StringContent(csv, System.Text.Encoding.UTF8, "text/csv"));
        var id = (await upload.Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<string>();
        var (status, problem) = await client.PostAsync("/api/jobs", new { datasetId = id, training = new { window = 500 } });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("shorter window", problem!["errors"]!["training.window"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task A_cancel_right_after_posting_is_never_lost()
    {
        using var app = new LstmApplication();
        var client = new ServiceClient(app.CreateClient());
        for (int i = 0; i < 5; i++)
        {
            // Long enough (many seconds) that only a lost cancel lets it succeed, even on a busy machine.
            var job = await client.PostJobAsync(TestRequests.SmallJob(TestRequests.SineSequences(32, 10), training: new { epochs = 5000, batchSize = 4 }));
            Assert.Equal(HttpStatusCode.Accepted, (await client.Http.PostAsync($"/api/jobs/{job.Id}/cancel", null)).StatusCode);
            var done = await client.WaitAsync(job.Id, seconds: 30);
            Assert.Equal(JobStatus.Cancelled, done.Status);
        }
    }

    [Fact]
    public async Task Two_job_slots_train_two_jobs_at_once()
    {
        using var app = new LstmApplication(new() { ["Training:MaxConcurrentJobs"] = "2" });
        var client = new ServiceClient(app.CreateClient());
        var request = TestRequests.SmallJob(TestRequests.SineSequences(32, 10), training: new { epochs = 2000, batchSize = 4 });
        var a = await client.PostJobAsync(request);
        var b = await client.PostJobAsync(request);
        await client.WaitAsync(a.Id, j => j.Progress.Epoch >= 1);
        var second = await client.WaitAsync(b.Id, j => j.Progress.Epoch >= 1);
        Assert.Equal(JobStatus.Running, (await client.GetJobAsync(a.Id)).Status);
        Assert.Equal(JobStatus.Running, second.Status);
        await client.Http.PostAsync($"/api/jobs/{a.Id}/cancel", null);
        await client.Http.PostAsync($"/api/jobs/{b.Id}/cancel", null);
        await client.WaitAsync(a.Id);
        await client.WaitAsync(b.Id);
    }

    [Fact]
    public async Task What_a_waiting_job_needs_cannot_be_deleted()
    {
        using var app = new LstmApplication();
        var client = new ServiceClient(app.CreateClient());
        var running = await client.PostJobAsync(TestRequests.SmallJob(TestRequests.SineSequences(32, 10), training: new { epochs = 2000, batchSize = 4 }));
        var upload = await client.Http.PostAsJsonAsync("/api/datasets", new { name = "d", sequences = TestRequests.SineSequences(8, 4) });
        var datasetId = (await upload.Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<string>();
        var waiting = await client.PostJobAsync(new { datasetId, model = new { output = new { steps = "last" } }, training = new { epochs = 1 } });

        Assert.Equal(HttpStatusCode.Conflict, (await client.Http.DeleteAsync($"/api/datasets/{datasetId}")).StatusCode);
        await client.Http.PostAsync($"/api/jobs/{waiting.Id}/cancel", null);
        Assert.Equal(HttpStatusCode.NoContent, (await client.Http.DeleteAsync($"/api/datasets/{datasetId}")).StatusCode);
        await client.Http.PostAsync($"/api/jobs/{running.Id}/cancel", null);
        await client.WaitAsync(running.Id);
    }

    [Fact]
    public async Task A_warm_start_needs_the_same_architecture()
    {
        using var app = new LstmApplication();
        var client = new ServiceClient(app.CreateClient());
        var job = await client.PostJobAsync(TestRequests.SmallJob(TestRequests.SineSequences(8, 4), epochs: 1));
        var model = (await client.WaitAsync(job.Id)).ModelId;

        var same = await client.PostJobAsync(new
        {
            data = new { sequences = TestRequests.SineSequences(8, 4, seed: 2) }, initialModelId = model,
            model = new { hiddenSize = 8, output = new { kind = "dense", size = 1, steps = "last" } }, training = new { epochs = 1 },
        });
        Assert.Equal(JobStatus.Succeeded, (await client.WaitAsync(same.Id)).Status);
        var (status, problem) = await client.PostAsync("/api/jobs", new
        {
            data = new { sequences = TestRequests.SineSequences(8, 4) }, initialModelId = model,
            model = new { hiddenSize = 9, output = new { kind = "dense", size = 1, steps = "last" } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.NotNull(problem!["errors"]!["initialModelId"]);
    }

    [Fact]
    public async Task An_exported_file_imports_without_a_spec_and_refuses_a_contradicting_one()
    {
        using var app = new LstmApplication();
        var client = new ServiceClient(app.CreateClient());
        var job = await client.PostJobAsync(TestRequests.SmallJob(TestRequests.SineSequences(8, 4), epochs: 1));
        var file = await client.Http.GetByteArrayAsync($"/api/models/{(await client.WaitAsync(job.Id)).ModelId}/weights");

        using var plain = new MultipartFormDataContent { { new ByteArrayContent(file), "weights", "m.safetensors" } };
        var imported = await client.Http.PostAsync("/api/models/import", plain);
        Assert.Equal(HttpStatusCode.Created, imported.StatusCode);
        var spec = (await imported.Content.ReadFromJsonAsync<JsonNode>())!["spec"]!;
        Assert.Equal(("last", true), (spec["output"]!["steps"]!.GetValue<string>(), spec["normalized"]!.GetValue<bool>()));

        using var contradicting = new MultipartFormDataContent { { new ByteArrayContent(file), "weights", "m.safetensors" }, { new StringContent("""{"cell":"seed"}"""), "spec" } };
        var refused = await client.Http.PostAsync("/api/models/import", contradicting);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("disagrees", (await refused.Content.ReadFromJsonAsync<JsonNode>())!["errors"]!["weights"]![0]!.GetValue<string>());
    }
}

// Rate limits: past its burst a key gets a 429 problem with Retry-After, and another key (another
// partition) is not slowed by it. Limits are set low here; the defaults never bother the suite.
using System.Net;
using System.Net.Http.Json;

namespace LstmService.Api.Tests;

public class RateLimitTests
{
    private const string AdminKey = "admin-0f4e2d6c8a1b3597";
    private const string OtherAdminKey = "admin-7c5a3e1f9b2d4086";
    private const string PredictKey = "predict-2b8d4f6a0c1e3597";
    private const string OtherPredictKey = "predict-9d1f3b5e7a2c4068";

    private static LstmApplication Application(Dictionary<string, string?> limits) => new(new(limits)
    {
        ["Auth:AdminKeys:0"] = AdminKey, ["Auth:AdminKeys:1"] = OtherAdminKey,
        ["Auth:PredictKeys:0"] = PredictKey, ["Auth:PredictKeys:1"] = OtherPredictKey,
    });

    [Fact]
    public async Task Job_creation_past_the_burst_is_a_429_with_retry_after_and_other_keys_are_unaffected()
    {
        // One job a minute after a burst of two: the third submission in this test's few seconds is refused.
        using var app = Application(new() { ["RateLimits:JobsPerMinute"] = "1", ["RateLimits:JobsBurst"] = "2" });
        var admin = new ServiceClient(ApiKeyTests.Client(app, AdminKey));
        var other = new ServiceClient(ApiKeyTests.Client(app, OtherAdminKey));
        var job = TestRequests.SmallJob(TestRequests.SineSequences(8, 4), epochs: 1);

        await admin.PostJobAsync(job);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync("/api/datasets", new { name = "d", sequences = TestRequests.SineSequences(4, 3) })).Status); // the same bucket
        var refused = await admin.Http.PostAsJsonAsync("/api/jobs", job, ServiceClient.Json);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var retryAfter = int.Parse(refused.Headers.GetValues("Retry-After").Single());
        Assert.InRange(retryAfter, 1, 60);
        await ApiKeyTests.AssertProblem(refused, 429);

        await other.PostJobAsync(job);
        Assert.Equal(2, (await admin.Http.GetFromJsonAsync<System.Text.Json.Nodes.JsonNode>("/api/jobs"))!["total"]!.GetValue<int>()); // the refused one stored nothing
    }

    [Fact]
    public async Task Predictions_past_the_burst_are_a_429_with_retry_after_and_other_keys_are_unaffected()
    {
        using var app = Application(new() { ["RateLimits:PredictPerSecond"] = "1", ["RateLimits:PredictBurst"] = "3" });
        var admin = new ServiceClient(ApiKeyTests.Client(app, AdminKey));
        var done = await admin.WaitAsync((await admin.PostJobAsync(TestRequests.SmallJob(TestRequests.SineSequences(8, 4), epochs: 1))).Id);
        var predict = new { sequences = new[] { new[] { new[] { 0.1, 0.2 } } } };

        // The bucket starts full: the first three pass; calls much faster than one a second then run
        // it dry. (On a very slow machine a token may come back in between: the loop allows for it.)
        var reader = ApiKeyTests.Client(app, PredictKey);
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage response;
        do
        {
            response = await reader.PostAsJsonAsync($"/api/models/{done.ModelId}/predict", predict, ServiceClient.Json);
            statuses.Add(response.StatusCode);
        } while (response.StatusCode == HttpStatusCode.OK && statuses.Count < 100);
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.True(statuses.Count >= 4 && statuses.SkipLast(1).All(s => s == HttpStatusCode.OK), string.Join(", ", statuses));
        Assert.Equal("1", response.Headers.GetValues("Retry-After").Single());
        await ApiKeyTests.AssertProblem(response, 429);

        var other = ApiKeyTests.Client(app, OtherPredictKey);
        Assert.Equal(HttpStatusCode.OK, (await other.PostAsJsonAsync($"/api/models/{done.ModelId}/predict", predict, ServiceClient.Json)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/api/models/{done.ModelId}")).StatusCode); // reads are not limited
    }

    [Fact]
    public async Task Without_keys_the_partition_is_the_client_address_which_behind_a_proxy_needs_forwarded_headers()
    {
        var limits = new Dictionary<string, string?> { ["RateLimits:JobsPerMinute"] = "1", ["RateLimits:JobsBurst"] = "1" };
        var dataset = new { name = "d", sequences = TestRequests.SineSequences(2, 2) };
        async Task<HttpStatusCode> Upload(HttpClient http, string client)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/datasets") { Content = JsonContent.Create(dataset, options: ServiceClient.Json) };
            request.Headers.Add("X-Forwarded-For", client);
            return (await http.SendAsync(request)).StatusCode;
        }

        // As the service ships: X-Forwarded-For is ignored, every client behind one proxy shares its bucket.
        using (var app = new LstmApplication(limits))
        {
            var http = app.CreateClient();
            Assert.Equal(HttpStatusCode.Created, await Upload(http, "203.0.113.1"));
            Assert.Equal(HttpStatusCode.TooManyRequests, await Upload(http, "203.0.113.2"));
        }
        // ASPNETCORE_FORWARDEDHEADERS_ENABLED=true: each forwarded client address has its own.
        using (var app = new LstmApplication(new(limits) { ["FORWARDEDHEADERS_ENABLED"] = "true" }))
        {
            var http = app.CreateClient();
            Assert.Equal(HttpStatusCode.Created, await Upload(http, "203.0.113.1"));
            Assert.Equal(HttpStatusCode.TooManyRequests, await Upload(http, "203.0.113.1"));
            Assert.Equal(HttpStatusCode.Created, await Upload(http, "203.0.113.2"));
        }
    }

    [Fact]
    public async Task Zero_turns_a_limit_off()
    {
        using var app = Application(new() { ["RateLimits:JobsPerMinute"] = "0", ["RateLimits:JobsBurst"] = "0" });
        var admin = ApiKeyTests.Client(app, AdminKey);
        for (int i = 0; i < 40; i++) // more than the default burst of 30
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/datasets", new { name = $"d{i}", sequences = TestRequests.SineSequences(2, 2) })).StatusCode);
    }
}

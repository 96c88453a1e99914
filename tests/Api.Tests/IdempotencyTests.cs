// Idempotency-Key: a retried POST gets the first answer, never a second job or dataset; a key
// sent with another request is refused; an error is not kept, so a corrected retry goes through;
// concurrent requests with one key create one resource; each API key has its own keys; an
// answer is kept a day.
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;

namespace LstmService.Api.Tests;

public class IdempotencyTests
{
    private static HttpRequestMessage Post(string path, HttpContent content, string key, string? apiKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.Add("Idempotency-Key", key);
        if (apiKey is not null) request.Headers.Add("X-Api-Key", apiKey);
        return request;
    }

    private static HttpRequestMessage PostJob(object job, string key, string? apiKey = null) => Post("/api/jobs", JsonContent.Create(job), key, apiKey);

    private static object Job(int epochs = 2) => TestRequests.SmallJob(TestRequests.SineSequences(8, 4), epochs);

    private static async Task<int> JobCount(HttpClient http, string? apiKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/jobs");
        if (apiKey is not null) request.Headers.Add("X-Api-Key", apiKey);
        var page = await (await http.SendAsync(request)).Content.ReadFromJsonAsync<JsonNode>();
        return page!["total"]!.GetValue<int>();
    }

    [Fact]
    public async Task A_retried_job_post_gets_the_first_answer_and_makes_no_second_job()
    {
        using var app = new LstmApplication();
        var http = app.CreateClient();
        var first = await http.SendAsync(PostJob(Job(), "retry-1"));
        var retry = await http.SendAsync(PostJob(Job(), "retry-1"));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        Assert.Equal(first.Headers.Location, retry.Headers.Location);
        Assert.Equal("application/json; charset=utf-8", retry.Content.Headers.ContentType?.ToString());
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(["true"], retry.Headers.GetValues("Idempotent-Replayed"));
        Assert.Equal(1, await JobCount(http));

        // Another key is another request.
        Assert.Equal(HttpStatusCode.Accepted, (await http.SendAsync(PostJob(Job(), "retry-2"))).StatusCode);
        Assert.Equal(2, await JobCount(http));
    }

    [Fact]
    public async Task A_key_sent_with_a_different_request_is_refused()
    {
        using var app = new LstmApplication();
        var http = app.CreateClient();
        Assert.Equal(HttpStatusCode.Accepted, (await http.SendAsync(PostJob(Job(epochs: 2), "k"))).StatusCode);
        var other = await http.SendAsync(PostJob(Job(epochs: 3), "k"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
        Assert.Equal("application/problem+json", other.Content.Headers.ContentType?.MediaType);
        Assert.Contains("different", (await other.Content.ReadFromJsonAsync<JsonNode>())!["detail"]!.GetValue<string>());
        Assert.Equal(1, await JobCount(http));
    }

    [Fact]
    public async Task An_error_is_not_kept_so_the_corrected_request_may_use_the_key()
    {
        using var app = new LstmApplication();
        var http = app.CreateClient();
        var wrong = await http.SendAsync(PostJob(TestRequests.SmallJob(TestRequests.SineSequences(8, 4), epochs: 0), "fix-me"));
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        var corrected = await http.SendAsync(PostJob(Job(), "fix-me"));
        Assert.Equal(HttpStatusCode.Accepted, corrected.StatusCode);
        Assert.False(corrected.Headers.Contains("Idempotent-Replayed"));
    }

    [Fact]
    public async Task Concurrent_posts_with_one_key_create_one_job()
    {
        using var app = new LstmApplication();
        var http = app.CreateClient();
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => http.SendAsync(PostJob(Job(), "burst"))));
        // Each either created the job, replayed its answer, or was told the first one still runs.
        Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.Accepted, HttpStatusCode.Conflict }));
        var ids = new HashSet<string?>();
        foreach (var answer in answers.Where(a => a.StatusCode == HttpStatusCode.Accepted))
            ids.Add((await answer.Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<string>());
        Assert.Single(ids);
        Assert.Equal(1, await JobCount(http));
    }

    [Fact]
    public async Task A_retried_csv_upload_makes_one_dataset()
    {
        using var app = new LstmApplication();
        var http = app.CreateClient();
        string csv = "value\n" + string.Join("\n", Enumerable.Range(0, 40).Select(t => (t % 7).ToString()));
        HttpContent Csv() => new StringContent(csv, Encoding.UTF8, "text/csv");
        var first = await http.SendAsync(Post("/api/datasets/csv?name=steps", Csv(), "upload-1"));
        var retry = await http.SendAsync(Post("/api/datasets/csv?name=steps", Csv(), "upload-1"));
        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (first.StatusCode, retry.StatusCode));
        Assert.Equal(await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        Assert.Single((await http.GetFromJsonAsync<JsonNode>("/api/datasets"))!["items"]!.AsArray());

        // The same key on another path is another request.
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await http.SendAsync(Post("/api/datasets?name=steps", Csv(), "upload-1"))).StatusCode);
    }

    [Fact]
    public async Task A_key_that_is_no_key_is_a_400_naming_the_header()
    {
        using var app = new LstmApplication();
        var http = app.CreateClient();
        foreach (var keys in new[] { [new string('k', 256)], ["with space"], new[] { "one", "two" } })
        {
            var request = PostJob(Job(), keys[0]);
            foreach (var key in keys.Skip(1)) request.Headers.Add("Idempotency-Key", key);
            var answer = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
            Assert.NotNull((await answer.Content.ReadFromJsonAsync<JsonNode>())!["errors"]!["Idempotency-Key"]);
        }
        Assert.Equal(0, await JobCount(http));
    }

    [Fact]
    public async Task Each_api_key_has_keys_of_its_own()
    {
        using var app = new LstmApplication(new() { ["Auth:AdminKeys:0"] = "admin-one-3f1c9a7e5b", ["Auth:AdminKeys:1"] = "admin-two-8e2a6c4b1d" });
        var http = app.CreateClient();
        var one = await http.SendAsync(PostJob(Job(), "shared", "admin-one-3f1c9a7e5b"));
        var two = await http.SendAsync(PostJob(Job(), "shared", "admin-two-8e2a6c4b1d"));
        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.Accepted), (one.StatusCode, two.StatusCode));
        Assert.False(two.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(2, await JobCount(http, "admin-one-3f1c9a7e5b"));
    }

    [Fact]
    public async Task An_answer_is_kept_a_day_and_then_frees_its_key()
    {
        var clock = new ShiftedClock();
        using var app = new LstmApplication();
        using var later = app.WithWebHostBuilder(b => b.ConfigureServices(services => services.AddSingleton<TimeProvider>(clock)));
        var http = later.CreateClient();
        Assert.Equal(HttpStatusCode.Accepted, (await http.SendAsync(PostJob(Job(epochs: 2), "daily"))).StatusCode);
        clock.Shift = TimeSpan.FromHours(23);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await http.SendAsync(PostJob(Job(epochs: 3), "daily"))).StatusCode);
        clock.Shift = TimeSpan.FromHours(25);
        var fresh = await http.SendAsync(PostJob(Job(epochs: 3), "daily"));
        Assert.Equal(HttpStatusCode.Accepted, fresh.StatusCode);
        Assert.False(fresh.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(2, await JobCount(http));
    }

    private sealed class ShiftedClock : TimeProvider
    {
        public TimeSpan Shift { get; set; }
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Shift;
    }
}

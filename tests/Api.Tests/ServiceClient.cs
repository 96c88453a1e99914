// A user's view of the service for tests: post, poll, read, with the service's own JSON dialect.
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using LstmService.Api.Infrastructure;
using LstmService.Api.Jobs;
using LstmService.Persistence;

namespace LstmService.Api.Tests;

internal sealed class ServiceClient(HttpClient http)
{
    public HttpClient Http { get; } = http;

    public static JsonSerializerOptions Json => ApiJson.Options;

    /// <summary>Posts a job and returns it; fails the test unless the answer is 202 with a Location.</summary>
    public async Task<JobView> PostJobAsync(object request)
    {
        var response = await Http.PostAsJsonAsync("/api/jobs", request, Json);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var job = (await response.Content.ReadFromJsonAsync<JobView>(Json))!;
        Assert.Equal($"/api/jobs/{job.Id}", response.Headers.Location?.OriginalString);
        return job;
    }

    public async Task<JobView> GetJobAsync(string id) => (await Http.GetFromJsonAsync<JobView>($"/api/jobs/{id}", Json))!;

    /// <summary>Polls until the job has ended (or <paramref name="until"/> holds), failing after <paramref name="seconds"/>.</summary>
    public async Task<JobView> WaitAsync(string id, Func<JobView, bool>? until = null, double seconds = 120)
    {
        until ??= j => j.Status is JobStatus.Succeeded or JobStatus.Failed or JobStatus.Cancelled;
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var job = await GetJobAsync(id);
            if (until(job)) return job;
            if (DateTime.UtcNow > deadline) Assert.Fail($"Job {id} did not get there in {seconds} s; it is {job.Status} at epoch {job.Progress.Epoch}.");
            await Task.Delay(50);
        }
    }

    public async Task<List<EpochLoss>> LossesAsync(string id) => (await Http.GetFromJsonAsync<List<EpochLoss>>($"/api/jobs/{id}/losses", Json))!;

    /// <summary>Posts JSON and returns the status and the body parsed.</summary>
    public async Task<(HttpStatusCode Status, JsonNode? Body)> PostAsync(string path, object body)
    {
        var response = await Http.PostAsJsonAsync(path, body, Json);
        return (response.StatusCode, await ReadBody(response));
    }

    public async Task<(HttpStatusCode Status, JsonNode? Body)> PostRawAsync(string path, string body, string contentType = "application/json")
    {
        var response = await Http.PostAsync(path, new StringContent(body, System.Text.Encoding.UTF8, contentType));
        return (response.StatusCode, await ReadBody(response));
    }

    private static async Task<JsonNode?> ReadBody(HttpResponseMessage response)
    {
        string text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }
}

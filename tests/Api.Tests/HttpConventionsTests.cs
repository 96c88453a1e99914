// What HTTP clients expect of a service beyond its endpoints: compressed answers when they ask for
// them, and cross-origin calls from browsers only from the origins an operator configured.
using System.Net;
using System.Net.Http.Headers;

namespace LstmService.Api.Tests;

public class HttpConventionsTests
{
    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    public async Task Json_answers_are_compressed_for_a_client_that_accepts_it(string encoding)
    {
        using var app = new LstmApplication();
        var client = new ServiceClient(app.CreateClient());
        var job = await client.PostJobAsync(new { data = new { sequences = new[] { new { inputs = new[] { new[] { 1.0 } }, target = new[] { 2.0 } } } },
            model = new { hiddenSize = 2, output = new { steps = "last" } }, training = new { epochs = 200, validationFraction = 0 } });
        await client.WaitAsync(job.Id);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/jobs/{job.Id}/losses");
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(encoding));
        using var compressed = await client.Http.SendAsync(request);
        using var plain = await client.Http.GetAsync($"/api/jobs/{job.Id}/losses");
        Assert.Equal([encoding], compressed.Content.Headers.ContentEncoding);
        Assert.Empty(plain.Content.Headers.ContentEncoding);
        Assert.True((await compressed.Content.ReadAsByteArrayAsync()).Length * 3 < (await plain.Content.ReadAsByteArrayAsync()).Length);
    }

    [Fact]
    public async Task Browsers_may_call_from_the_configured_origins_only()
    {
        using var app = new LstmApplication(new() { ["Cors:Origins:0"] = "https://dashboard.example" });
        var http = app.CreateClient();
        async Task<HttpResponseMessage> Preflight(string origin)
        {
            using var request = new HttpRequestMessage(HttpMethod.Options, "/api/jobs");
            request.Headers.Add("Origin", origin);
            request.Headers.Add("Access-Control-Request-Method", "POST");
            request.Headers.Add("Access-Control-Request-Headers", "content-type,x-api-key");
            return await http.SendAsync(request);
        }
        using var allowed = await Preflight("https://dashboard.example");
        Assert.Equal(HttpStatusCode.NoContent, allowed.StatusCode);
        Assert.Equal(["https://dashboard.example"], allowed.Headers.GetValues("Access-Control-Allow-Origin"));
        using var other = await Preflight("https://elsewhere.example");
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));

        // None configured (the default): no origin is allowed.
        using var closed = new LstmApplication();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/jobs");
        request.Headers.Add("Origin", "https://dashboard.example");
        using var answer = await closed.CreateClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.False(answer.Headers.Contains("Access-Control-Allow-Origin"));
    }
}

// API keys: without any the service is open (and warns); with keys, an admin key may do
// everything, a predict key may predict and read, and no key or an unknown one gets a 401 on
// every /api route, while health, the OpenAPI document and Swagger UI stay open.
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LstmService.Api.Tests;

public class ApiKeyTests
{
    private const string AdminKey = "admin-3f1c9a7e5b2d4f60";
    private const string PredictKey = "predict-8e2a6c4b1d9f3e57";

    private static LstmApplication KeyedApplication() =>
        new(new() { ["Auth:AdminKeys:0"] = AdminKey, ["Auth:PredictKeys:0"] = PredictKey });

    /// <summary>The admin-only endpoints: everything that writes.</summary>
    private static readonly HashSet<string> AdminOnly =
    [
        "POST api/jobs/", "POST api/jobs/{id}/cancel", "DELETE api/jobs/{id}", "POST api/datasets/", "POST api/datasets/csv", "DELETE api/datasets/{id}", "POST api/models/import", "DELETE api/models/{id}", "POST api/backups/",
    ];

    [Fact]
    public async Task Without_keys_the_service_is_open_and_says_so_at_start_up()
    {
        var logs = new LogCapture();
        using var app = new LstmApplication();
        var client = new ServiceClient(logs.Attach(app).CreateClient());
        var job = await client.PostJobAsync(ForecasterJob());
        Assert.Equal(HttpStatusCode.OK, (await client.Http.GetAsync($"/api/jobs/{job.Id}")).StatusCode);
        Assert.Contains(logs.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("No API keys are configured"));
    }

    [Fact]
    public async Task An_admin_key_may_train_upload_import_predict_read_cancel_and_delete()
    {
        var logs = new LogCapture();
        using var app = KeyedApplication();
        var admin = new ServiceClient(Client(logs.Attach(app), AdminKey));

        var (uploaded, dataset) = await admin.PostAsync("/api/datasets", new { name = "d", sequences = ForecasterSequences() });
        Assert.Equal(HttpStatusCode.Created, uploaded);
        var job = await admin.PostJobAsync(ForecasterJob());
        var done = await admin.WaitAsync(job.Id);
        Assert.True(done.Status == Persistence.JobStatus.Succeeded, done.Error);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/models/{done.ModelId}/predict", new { sequences = new[] { History } })).Status);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/models/{done.ModelId}/forecast", new { history = History, horizon = 3 })).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.Http.PostAsync($"/api/jobs/{job.Id}/cancel", null)).StatusCode); // allowed; the job has ended

        var weights = await admin.Http.GetByteArrayAsync($"/api/models/{done.ModelId}/weights");
        using var form = new MultipartFormDataContent { { new ByteArrayContent(weights), "weights", "m.safetensors" } };
        var imported = await admin.Http.PostAsync("/api/models/import", form);
        Assert.Equal(HttpStatusCode.Created, imported.StatusCode);
        var importedId = (await imported.Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync($"/api/models/{importedId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync($"/api/datasets/{dataset!["id"]}")).StatusCode);

        Assert.DoesNotContain(logs.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("No API keys are configured"));
        Assert.DoesNotContain(logs.Lines, l => l.Message.Contains(AdminKey) || l.Message.Contains(PredictKey));
    }

    [Fact]
    public async Task A_predict_key_may_predict_forecast_and_read_and_gets_a_403_on_every_write()
    {
        var logs = new LogCapture();
        using var app = KeyedApplication();
        var factory = logs.Attach(app);
        var admin = new ServiceClient(Client(factory, AdminKey));
        var reader = new ServiceClient(Client(factory, PredictKey));
        var done = await admin.WaitAsync((await admin.PostJobAsync(ForecasterJob())).Id);
        Assert.True(done.Status == Persistence.JobStatus.Succeeded, done.Error);

        Assert.Equal(HttpStatusCode.OK, (await reader.PostAsync($"/api/models/{done.ModelId}/predict", new { sequences = new[] { History } })).Status);
        Assert.Equal(HttpStatusCode.OK, (await reader.PostAsync($"/api/models/{done.ModelId}/forecast", new { history = History, horizon = 3 })).Status);
        foreach (var path in new[] { $"/api/jobs/{done.Id}", $"/api/jobs/{done.Id}/losses", $"/api/jobs/{done.Id}/losses.svg", $"/api/jobs/{done.Id}/events", "/api/jobs", $"/api/models/{done.ModelId}", $"/api/models/{done.ModelId}/weights", "/api/models", "/api/datasets" })
            Assert.True((await reader.Http.GetAsync(path)).StatusCode == HttpStatusCode.OK, path);

        // Every route of the API, by its pattern: a predict key passes on all but the writes (an unknown id then answers 404 or 400).
        var routes = ApiRoutes(factory.Services);
        Assert.Superset(new HashSet<string>([.. AdminOnly, "POST api/models/{id}/predict", "POST api/models/{id}/forecast", "POST api/models/{id}/evaluate", "GET api/jobs/{id}/events"]), routes.Select(r => r.Name).ToHashSet());
        foreach (var (name, request) in routes)
        {
            var response = await reader.Http.SendAsync(request());
            if (AdminOnly.Contains(name))
            {
                Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{name}: {response.StatusCode}");
                await AssertProblem(response, 403);
            }
            else
            {
                Assert.True(response.StatusCode is not (HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized), $"{name}: {response.StatusCode}");
            }
        }
        Assert.Equal(1, (await admin.Http.GetFromJsonAsync<JsonNode>("/api/jobs"))!["total"]!.GetValue<int>()); // the refused POST stored nothing
        Assert.DoesNotContain(logs.Lines, l => l.Message.Contains(AdminKey) || l.Message.Contains(PredictKey));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-key-of-this-service")]
    [InlineData(AdminKey + "x")]
    public async Task No_key_or_an_unknown_one_gets_a_401_on_every_api_route_while_health_and_docs_stay_open(string? key)
    {
        using var app = KeyedApplication();
        var http = key is null ? app.CreateClient() : Client(app, key);
        foreach (var (name, request) in ApiRoutes(app.Services))
        {
            var response = await http.SendAsync(request());
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{name}: {response.StatusCode}");
            Assert.Equal("ApiKey", response.Headers.WwwAuthenticate.Single().Scheme);
            await AssertProblem(response, 401);
        }
        foreach (var path in new[] { "/health/live", "/health/ready", "/openapi/v1.json", "/swagger/index.html" })
            Assert.True((await http.GetAsync(path)).StatusCode == HttpStatusCode.OK, path);
    }

    [Theory]
    [InlineData("POST", "/api/jobs", "text/plain", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("POST", "/api/datasets", "multipart/form-data", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("POST", "/api/models/import", "application/json", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("PUT", "/api/jobs", null, HttpStatusCode.MethodNotAllowed)]
    public async Task A_request_no_endpoint_takes_gets_a_401_without_a_key_and_its_415_or_405_with_one(string method, string path, string? contentType, HttpStatusCode withKey)
    {
        using var app = KeyedApplication();
        HttpRequestMessage Request() => new(new HttpMethod(method), path)
        {
            Content = contentType is null ? null : new StringContent("x", System.Text.Encoding.UTF8, contentType),
        };
        var anonymous = await app.CreateClient().SendAsync(Request());
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("ApiKey", anonymous.Headers.WwwAuthenticate.Single().Scheme);
        await AssertProblem(anonymous, 401);
        Assert.Equal(withKey, (await Client(app, AdminKey).SendAsync(Request())).StatusCode);
    }

    [Fact]
    public async Task The_openapi_document_declares_the_key_so_swagger_ui_can_send_it()
    {
        using var app = KeyedApplication();
        var document = JsonNode.Parse(await app.CreateClient().GetStringAsync("/openapi/v1.json"))!;
        var scheme = document["components"]!["securitySchemes"]!["ApiKey"]!;
        Assert.Equal("apiKey", scheme["type"]!.GetValue<string>());
        Assert.Equal("header", scheme["in"]!.GetValue<string>());
        Assert.Equal("X-Api-Key", scheme["name"]!.GetValue<string>());
        Assert.Contains(document["security"]!.AsArray(), requirement => requirement!.AsObject().ContainsKey("ApiKey"));
    }

    [Theory]
    [InlineData("Auth:AdminKeys:0", "short-key", "is 9 characters long")]
    [InlineData("Auth:PredictKeys:1", " padded-key-0123456789 ", "white space")]
    public void A_key_that_cannot_work_stops_start_up_with_a_message_naming_the_setting_not_the_key(string setting, string key, string why)
    {
        using var app = new LstmApplication(new() { ["Auth:PredictKeys:0"] = PredictKey, [setting] = key });
        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        var message = error.ToString();
        Assert.Contains(setting, message);
        Assert.Contains(why, message);
        Assert.DoesNotContain(key.Trim(), message);
    }

    [Fact]
    public void The_same_key_in_both_roles_stops_start_up()
    {
        using var app = new LstmApplication(new() { ["Auth:AdminKeys:0"] = AdminKey, ["Auth:PredictKeys:0"] = AdminKey });
        var message = Assert.ThrowsAny<Exception>(() => app.CreateClient()).ToString();
        Assert.Contains("Auth:AdminKeys:0 and Auth:PredictKeys:0", message);
        Assert.DoesNotContain(AdminKey, message);
    }

    internal static HttpClient Client(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> app, string key)
    {
        var http = app.CreateClient();
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        return http;
    }

    internal static async Task AssertProblem(HttpResponseMessage response, int status)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.Equal(status, problem["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(problem["title"]?.GetValue<string>()));
    }

    /// <summary>Each /api endpoint as "METHOD pattern", with a request to it: an unknown id, an empty body of the kind it takes.</summary>
    private static List<(string Name, Func<HttpRequestMessage> Request)> ApiRoutes(IServiceProvider services) =>
        services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.TrimStart('/').StartsWith("api/", StringComparison.Ordinal) == true)
            .SelectMany(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.Select(method =>
            {
                string pattern = e.RoutePattern.RawText!.TrimStart('/');
                string path = "/" + pattern.Replace("{id}", "0123456789abcdef0123456789abcdef");
                return ($"{method} {pattern}", (Func<HttpRequestMessage>)(() => new HttpRequestMessage(new HttpMethod(method), path)
                {
                    Content = method != HttpMethods.Post ? null
                        : Accepts(e, "multipart/form-data") ? new MultipartFormDataContent() // the kind it takes, so the request reaches its endpoint
                        : Accepts(e, "text/csv") && !Accepts(e, "application/json") ? new StringContent("value\n1", System.Text.Encoding.UTF8, "text/csv")
                        : new StringContent("{}", System.Text.Encoding.UTF8, "application/json"),
                }));
            })).ToList();

    private static bool Accepts(Endpoint endpoint, string contentType) =>
        endpoint.Metadata.GetOrderedMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>().Any(a => a.ContentTypes.Contains(contentType));

    private static readonly double[][] History = Enumerable.Range(0, 6).Select(t => new[] { Math.Sin(0.4 * t) }).ToArray();

    private static object[] ForecasterSequences() => Enumerable.Range(0, 8).Select(n =>
    {
        var inputs = Enumerable.Range(n, 6).Select(t => new[] { Math.Sin(0.4 * t) }).ToArray();
        return (object)new { inputs, target = new[] { Math.Sin(0.4 * (n + 6)) } };
    }).ToArray();

    /// <summary>A model whose output is its input, so it can forecast; two quick epochs.</summary>
    private static object ForecasterJob() => new
    {
        data = new { sequences = ForecasterSequences() },
        model = new { hiddenSize = 4, output = new { kind = "dense", size = 1, steps = "last" } },
        training = new { epochs = 2, validationFraction = 0.0 },
    };
}

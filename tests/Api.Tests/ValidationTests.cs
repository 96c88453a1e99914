// Bad input gets a 400 problem-details response naming the field, and nothing is stored.
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace LstmService.Api.Tests;

public class ValidationTests : IDisposable
{
    private readonly LstmApplication _app = new();
    private readonly ServiceClient _client;

    public ValidationTests() => _client = new ServiceClient(_app.CreateClient());

    public void Dispose() => _app.Dispose();

    private static readonly object Good = new { inputs = new[] { new[] { 1.0, 2 }, [3, 4] }, target = new[] { 0.5 } };

    private static object Job(object data, object? model = null, object? training = null) => new
    {
        data,
        model = model ?? new { hiddenSize = 4, output = new { kind = "dense", size = 1, steps = "last" } },
        training = training ?? new { epochs = 2 },
    };

    public static TheoryData<string, string, string> BadJobs => new()
    {
        // name, body, the field the answer must name
        { "ragged inputs", """{"data":{"sequences":[{"inputs":[[1,2],[3]],"target":[1]}]},"model":{"output":{"steps":"last"}}}""", "data.sequences[0].inputs[1]" },
        { "empty sequence", """{"data":{"sequences":[{"inputs":[],"target":[1]}]},"model":{"output":{"steps":"last"}}}""", "data.sequences[0].inputs" },
        { "no sequences", """{"data":{"sequences":[]}}""", "data.sequences" },
        { "NaN literal", """{"data":{"sequences":[{"inputs":[[NaN]],"target":[1]}]}}""", "data.sequences[0].inputs[0][0]" },
        { "NaN string", """{"data":{"sequences":[{"inputs":[["NaN"]],"target":[1]}]}}""", "data.sequences[0].inputs[0][0]" },
        { "number as string", """{"data":{"sequences":[{"inputs":[[1]],"target":[1]}]},"training":{"epochs":"5"}}""", "training.epochs" },
        { "Infinity literal", """{"data":{"sequences":[{"inputs":[[1]],"target":[Infinity]}]}}""", "data.sequences[0].target[0]" },
        { "unknown cell", """{"data":{"sequences":[{"inputs":[[1]],"target":[1]}]},"model":{"cell":"gru"}}""", "model.cell" },
        { "unknown optimizer", """{"data":{"sequences":[{"inputs":[[1]],"target":[1]}]},"training":{"optimizer":"rmsprop"}}""", "training.optimizer" },
        { "enum as number", """{"data":{"sequences":[{"inputs":[[1]],"target":[1]}]},"model":{"loss":1}}""", "model.loss" },
        { "neither data nor dataset", """{"model":{"hiddenSize":4}}""", "data" },
        { "both data and dataset", """{"data":{"sequences":[{"inputs":[[1]],"target":[1]}]},"datasetId":"x","model":{"output":{"steps":"last"}}}""", "datasetId" },
        { "zero hidden size", """{"data":{"sequences":[{"inputs":[[1]],"target":[1]}]},"model":{"hiddenSize":0,"output":{"steps":"last"}}}""", "model.hiddenSize" },
        { "huge hidden size", """{"data":{"sequences":[{"inputs":[[1]],"target":[1]}]},"model":{"hiddenSize":1000000000,"output":{"steps":"last"}}}""", "model.hiddenSize" },
        { "negative epochs", """{"data":{"sequences":[{"inputs":[[1]],"target":[1]}]},"model":{"output":{"steps":"last"}},"training":{"epochs":-3}}""", "training.epochs" },
        { "clip norm beyond double", """{"data":{"sequences":[{"inputs":[[1]],"target":[1]}]},"model":{"output":{"steps":"last"}},"training":{"clipNorm":1e309}}""", "training.clipNorm" },
        { "input beyond double", """{"data":{"sequences":[{"inputs":[[-1e400]],"target":[1]}]}}""", "data.sequences[0].inputs[0][0]" },
        { "empty body", "", "body" },
        { "null body", "null", "body" },
        { "epochs beyond int", """{"data":{"sequences":[{"inputs":[[1]],"target":[1]}]},"training":{"epochs":1e40}}""", "training.epochs" },
        { "learning rate zero", """{"data":{"sequences":[{"inputs":[[1]],"target":[1]}]},"model":{"output":{"steps":"last"}},"training":{"learningRate":0}}""", "training.learningRate" },
        { "dropout one", """{"data":{"sequences":[{"inputs":[[1]],"target":[1]}]},"model":{"dropout":1,"output":{"steps":"last"}}}""", "model.dropout" },
        { "targets per step missing", """{"data":{"sequences":[{"inputs":[[1],[2]],"target":[1]}]},"model":{"output":{"steps":"all"}}}""", "data.sequences[0].targets" },
        { "target width", """{"data":{"sequences":[{"inputs":[[1]],"target":[1,2]}]},"model":{"output":{"size":1,"steps":"last"}}}""", "model.output.size" },
        { "labels without cross-entropy steps", """{"data":{"sequences":[{"inputs":[[1]],"label":"a"}]},"model":{"loss":"crossEntropy","output":{"steps":"all"}}}""", "model.output.steps" },
        { "one class only", """{"data":{"sequences":[{"inputs":[[1]],"label":"a"},{"inputs":[[2]],"label":"a"}]},"model":{"loss":"crossEntropy","output":{"steps":"last"}}}""", "data" },
        { "unknown dataset", """{"datasetId":"nope"}""", "datasetId" },
        { "unknown initial model", """{"data":{"sequences":[{"inputs":[[1]],"target":[1]}]},"initialModelId":"nope","model":{"output":{"steps":"last"}}}""", "initialModelId" },
        { "not json", """this is not json""", "body" },
        { "wrong type", """{"data":{"sequences":"many"}}""", "data.sequences" },
        { "frozen unknown", """{"data":{"sequences":[{"inputs":[[1]],"target":[1]}]},"model":{"output":{"steps":"last"}},"training":{"frozenParameters":["head.gamma"]}}""", "training.frozenParameters" },
    };

    [Theory]
    [MemberData(nameof(BadJobs))]
    public async Task A_bad_job_is_a_400_naming_the_field_and_stores_nothing(string why, string body, string field)
    {
        var (status, problem) = await _client.PostRawAsync("/api/jobs", body);
        Assert.True(status == HttpStatusCode.BadRequest, $"{why}: {status} {problem}");
        var errors = problem!["errors"]?.AsObject();
        Assert.True(errors is not null && errors.ContainsKey(field), $"{why}: expected an error for '{field}', got {problem.ToJsonString()}");
        Assert.Equal(0, (await _client.Http.GetFromJsonAsync<JsonNode>("/api/jobs"))!["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_wrong_content_type_is_a_client_error_with_problem_details()
    {
        var response = await _client.Http.PostAsync("/api/jobs", new StringContent("epochs=3", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task Prediction_input_must_fit_the_model()
    {
        var job = await _client.PostJobAsync(Job(new { sequences = new[] { Good, Good } }, training: new { epochs = 1, validationFraction = 0.0 }));
        var done = await _client.WaitAsync(job.Id);
        var (status, problem) = await _client.PostAsync($"/api/models/{done.ModelId}/predict", new { sequences = new[] { new[] { new[] { 1.0, 2, 3 } } } });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("2 inputs per step", problem!["errors"]!["sequences[0][0]"]![0]!.GetValue<string>());

        (status, problem) = await _client.PostRawAsync($"/api/models/{done.ModelId}/predict", """{"sequences":[[[1,2],[3]]]}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.NotNull(problem!["errors"]!["sequences[0][1]"]);

        (status, _) = await _client.PostRawAsync($"/api/models/{done.ModelId}/predict", """{"sequences":[]}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);

        (status, problem) = await _client.PostAsync($"/api/models/{done.ModelId}/forecast", new { history = new[] { new[] { 1.0, 2 } }, horizon = 3 });
        Assert.Equal(HttpStatusCode.BadRequest, status); // 2 inputs, 1 output: nothing to feed back
        Assert.NotNull(problem!["errors"]!["id"]);

        (status, problem) = await _client.PostAsync($"/api/models/{done.ModelId}/evaluate", new { datasetId = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, status); // neither a series model nor a classifier
        Assert.NotNull(problem!["errors"]!["id"]);
        (status, _) = await _client.PostAsync($"/api/models/{Guid.NewGuid():N}/evaluate", new { datasetId = "x" });
        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Theory]
    [InlineData("value\n1\nabc\n", "line 3")]
    [InlineData("a,b\n1,2\n3\n", "body")]
    [InlineData("value\n1\n", "body")]
    [InlineData("value\n1\n2\0\n", "line 3")] // .NET's parser alone would read "2\0" as 2
    public async Task A_bad_csv_is_a_400_saying_where(string csv, string field)
    {
        var response = await _client.Http.PostAsync("/api/datasets?name=bad", new StringContent(csv, System.Text.Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonNode>())!["errors"]!.AsObject();
        Assert.Contains(errors, e => e.Key.StartsWith(field));
        Assert.Empty((await _client.Http.GetFromJsonAsync<JsonNode>("/api/datasets"))!["items"]!.AsArray());
    }

    [Fact]
    public async Task A_lying_safetensors_file_is_a_400()
    {
        var bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Reference", "stacked.safetensors"));
        BitConverter.GetBytes((ulong)bytes.Length * 2).CopyTo(bytes, 0); // a header longer than the file
        using var form = new MultipartFormDataContent { { new ByteArrayContent(bytes), "weights", "bad.safetensors" }, { new StringContent("""{"cell":"standard"}"""), "spec" } };
        var response = await _client.Http.PostAsync("/api/models/import", form);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await response.Content.ReadFromJsonAsync<JsonNode>())!["errors"]!["weights"]);
        Assert.Empty((await _client.Http.GetFromJsonAsync<JsonNode>("/api/models"))!["items"]!.AsArray());
    }

    [Theory]
    [InlineData("multipart/form-data; boundary=other")] // the body's boundary is another
    [InlineData("multipart/form-data")]                 // no boundary at all
    public async Task A_multipart_body_that_cannot_be_read_is_a_400_naming_it(string contentType)
    {
        var body = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes("--b\r\nContent-Disposition: form-data; name=\"weights\"; filename=\"m\"\r\n\r\nxx\r\n--b--\r\n"));
        body.Headers.TryAddWithoutValidation("Content-Type", contentType);
        var response = await _client.Http.PostAsync("/api/models/import", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await response.Content.ReadFromJsonAsync<JsonNode>())!["errors"]!["body"]);
    }

    [Fact]
    public async Task An_import_that_is_not_multipart_is_a_415()
    {
        var response = await _client.Http.PostAsync("/api/models/import", new ByteArrayContent([1, 2, 3]));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("GET", "/api/jobs/nope")]
    [InlineData("GET", "/api/jobs/nope/losses")]
    [InlineData("GET", "/api/jobs/nope/losses.svg")]
    [InlineData("GET", "/api/jobs/nope/events")]
    [InlineData("POST", "/api/jobs/nope/cancel")]
    [InlineData("GET", "/api/models/nope")]
    [InlineData("GET", "/api/models/nope/weights")]
    [InlineData("DELETE", "/api/models/nope")]
    [InlineData("GET", "/api/datasets/nope")]
    [InlineData("DELETE", "/api/datasets/nope")]
    public async Task Unknown_ids_are_404_problems(string method, string path)
    {
        var response = await _client.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Predicting_with_an_unknown_model_is_404()
    {
        var (status, _) = await _client.PostAsync("/api/models/nope/predict", new { sequences = new[] { new[] { new[] { 1.0 } } } });
        Assert.Equal(HttpStatusCode.NotFound, status);
    }
}

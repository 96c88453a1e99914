// A user's session end to end, through HTTP on a real SQLite file: upload, train, watch, predict,
// and get the numbers the engine gives for that model directly.
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using LstmService.Api.Datasets;
using LstmService.Api.Models;
using LstmService.Engine.Files;
using LstmService.Engine.Inference;
using LstmService.Persistence;

namespace LstmService.Api.Tests;

public class UserSessionTests
{
    [Fact]
    public async Task Upload_train_follow_read_losses_and_predict_as_the_engine_does()
    {
        using var app = new LstmApplication();
        var client = new ServiceClient(app.CreateClient());

        var upload = await client.Http.PostAsJsonAsync("/api/datasets", new { name = "sines", sequences = TestRequests.SineSequences(40, 10) });
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        var dataset = (await upload.Content.ReadFromJsonAsync<DatasetView>(ServiceClient.Json))!;
        Assert.Equal((40, 2, "sequences"), (dataset.SequenceCount, dataset.InputSize, dataset.Kind));

        var job = await client.PostJobAsync(new
        {
            name = "sine session",
            datasetId = dataset.Id,
            model = new { hiddenSize = 12, output = new { kind = "dense", size = 1, steps = "last" } },
            training = new { epochs = 8, batchSize = 8, learningRate = 0.01, validationFraction = 0.2, seed = 5 },
        });
        Assert.Equal(JobStatus.Queued, job.Status);
        var done = await client.WaitAsync(job.Id);
        Assert.True(done.Status == JobStatus.Succeeded, done.Error);
        Assert.Equal(1, done.Progress.Fraction);
        Assert.NotNull(done.ModelId);

        var losses = await client.LossesAsync(job.Id);
        Assert.Equal(Enumerable.Range(1, 8), losses.Select(l => l.Epoch));
        Assert.All(losses, l => { Assert.True(double.IsFinite(l.TrainLoss)); Assert.NotNull(l.ValidationLoss); });
        Assert.Equal(losses[^1].TrainLoss, done.LatestLoss.Train);

        var inputs = new[] { new[] { new[] { 0.1, 0.9 }, [0.4, 0.8], [0.6, 0.7] }, [[-0.2, 0.1]] };
        var predicted = await client.Http.PostAsJsonAsync($"/api/models/{done.ModelId}/predict", new { sequences = inputs });
        Assert.Equal(HttpStatusCode.OK, predicted.StatusCode);
        var outputs = (await predicted.Content.ReadFromJsonAsync<JsonNode>())!["outputs"]!.AsArray();

        // The same model, straight from its exported file, through the engine.
        var file = ModelFile.Read(await client.Http.GetByteArrayAsync($"/api/models/{done.ModelId}/weights"));
        var direct = new Predictor<float>(file.CreateNetwork<float>(), file.Normalizer).Predict(inputs);
        Assert.Equal(direct[0][0][0], outputs[0]![0]!.GetValue<double>());
        Assert.Equal(direct[1][0][0], outputs[1]![0]!.GetValue<double>());

        var model = await client.Http.GetFromJsonAsync<ModelView>($"/api/models/{done.ModelId}", ServiceClient.Json);
        Assert.Equal((job.Id, 2, 12, true, "float32"), (model!.JobId, model.Spec.InputSize, model.Spec.HiddenSize, model.Spec.Normalized, model.Spec.Precision));
        Assert.Equal(8, model.Metrics!.Epochs);
    }

    [Fact]
    public async Task A_csv_series_trains_on_windows_and_forecasts()
    {
        using var app = new LstmApplication();
        var client = new ServiceClient(app.CreateClient());
        var csv = "value\n" + string.Join("\n", Enumerable.Range(0, 120).Select(t => Math.Sin(t * 0.4).ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        var upload = await client.Http.PostAsync("/api/datasets?name=wave", new StringContent(csv, System.Text.Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        var dataset = (await upload.Content.ReadFromJsonAsync<DatasetView>(ServiceClient.Json))!;
        Assert.Equal(("series", 1), (dataset.Kind, dataset.InputSize));
        Assert.Equal(["value"], dataset.Columns!);

        var job = await client.PostJobAsync(new
        {
            datasetId = dataset.Id,
            model = new { hiddenSize = 8 },
            training = new { epochs = 4, batchSize = 16, learningRate = 0.01, window = 12, horizon = 1, seed = 2 },
        });
        var done = await client.WaitAsync(job.Id);
        Assert.True(done.Status == JobStatus.Succeeded, done.Error);

        var history = Enumerable.Range(0, 12).Select(t => new[] { Math.Sin(t * 0.4) }).ToArray();
        var (status, body) = await client.PostAsync($"/api/models/{done.ModelId}/forecast", new { history, horizon = 5 });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(5, body!["forecast"]!.AsArray().Count);
        Assert.All(body["forecast"]!.AsArray(), step => Assert.Single(step!.AsArray()));
    }

    [Fact]
    public async Task The_service_documents_itself_and_reports_its_health()
    {
        using var app = new LstmApplication();
        var http = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        Assert.Equal("Healthy", await http.GetStringAsync("/health/live"));
        Assert.Equal("Healthy", await http.GetStringAsync("/health/ready"));
        var root = await http.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, root.StatusCode);
        Assert.Equal("/swagger", root.Headers.Location?.OriginalString);
        Assert.Contains("swagger-ui", await http.GetStringAsync("/swagger/index.html"));

        var document = JsonNode.Parse(await http.GetStringAsync("/openapi/v1.json"))!;
        var examples = document["paths"]!["/api/jobs"]!["post"]!["requestBody"]!["content"]!["application/json"]!["examples"]!;
        var seed = examples["seed"]!["value"]!;
        Assert.Equal("seed", seed["model"]!["cell"]!.GetValue<string>());
        Assert.Equal("hidden", seed["model"]!["output"]!["kind"]!.GetValue<string>());
        Assert.Equal(4, seed["data"]!["sequences"]![0]!["inputs"]!.AsArray().Count);
        Assert.Equal(50, seed["data"]!["sequences"]![0]!["inputs"]![0]!.AsArray().Count);
        Assert.NotNull(examples["forecast"]);
    }

    [Theory]
    [InlineData("seed")]
    [InlineData("forecast")]
    public async Task The_swagger_examples_work_when_pressed(string example)
    {
        using var app = new LstmApplication();
        var client = new ServiceClient(app.CreateClient());
        var document = JsonNode.Parse(await client.Http.GetStringAsync("/openapi/v1.json"))!;
        var body = document["paths"]!["/api/jobs"]!["post"]!["requestBody"]!["content"]!["application/json"]!["examples"]![example]!["value"]!.ToJsonString();
        var (status, job) = await client.PostRawAsync("/api/jobs", body);
        Assert.Equal(HttpStatusCode.Accepted, status);
        var done = await client.WaitAsync(job!["id"]!.GetValue<string>());
        Assert.True(done.Status == JobStatus.Succeeded, done.Error);
    }

    [Fact]
    public async Task Every_json_request_body_has_an_example_that_works_on_the_model_it_names()
    {
        using var app = new LstmApplication();
        var client = new ServiceClient(app.CreateClient());
        var document = JsonNode.Parse(await client.Http.GetStringAsync("/openapi/v1.json"))!;
        var examples = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(operation => (Path: path.Key, Body: operation.Value!["requestBody"]?["content"]?["application/json"])))
            .Where(o => o.Body is not null)
            .ToDictionary(o => o.Path, o => o.Body!["examples"]?.AsObject().Select(e => e.Value!["value"]!.ToJsonString()).ToList());
        Assert.All(examples, e => Assert.True(e.Value is { Count: > 0 }, $"{e.Key} has no example"));

        var (status, job) = await client.PostRawAsync("/api/jobs", JsonNode.Parse(examples["/api/jobs"]![1])!.ToJsonString()); // "forecast"
        Assert.Equal(HttpStatusCode.Accepted, status);
        var forecaster = await client.WaitAsync(job!["id"]!.GetValue<string>());
        Assert.True(forecaster.Status == JobStatus.Succeeded, forecaster.Error);
        // Evaluate's example is for a model of the elec-equip sample.
        var (_, dataset) = await client.PostRawAsync("/api/datasets/csv?name=elec", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Samples", "elec-equip.csv")), "text/csv");
        var (_, seriesJob) = await client.PostRawAsync("/api/jobs", $$"""{ "datasetId": "{{dataset!["id"]}}", "model": { "hiddenSize": 8 }, "training": { "epochs": 2 } }""");
        var series = await client.WaitAsync(seriesJob!["id"]!.GetValue<string>());
        Assert.True(series.Status == JobStatus.Succeeded, series.Error);

        foreach (var (path, bodies) in examples.Where(e => e.Key != "/api/jobs"))
            foreach (var body in bodies!)
            {
                var (answer, content) = await client.PostRawAsync(path.Replace("{id}", path.EndsWith("/evaluate") ? series.ModelId : forecaster.ModelId), body);
                Assert.True(answer is HttpStatusCode.OK or HttpStatusCode.Created, $"{path}: {answer} {content}");
            }
    }
}

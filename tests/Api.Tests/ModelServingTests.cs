// Serving: classifiers answer with probabilities and labels, and a loaded model answers from
// memory without reading its weights again; a deleted one is gone from memory too. Concurrent
// predict requests share forward passes and get the answers they would get alone.
using System.Net;
using System.Text.Json.Nodes;
using LstmService.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LstmService.Api.Tests;

public class ModelServingTests
{
    [Fact]
    public async Task A_classifier_returns_probabilities_and_the_most_likely_label()
    {
        using var app = new LstmApplication();
        var client = new ServiceClient(app.CreateClient());
        // "up" sequences rise, "down" sequences fall.
        var sequences = Enumerable.Range(0, 40).Select(n =>
        {
            bool up = n % 2 == 0;
            var inputs = Enumerable.Range(0, 6).Select(t => new[] { (up ? t : -t) * 0.2 + n * 0.001 }).ToArray();
            return (object)new { inputs, label = up ? "up" : "down" };
        }).ToArray();
        var job = await client.PostJobAsync(new
        {
            data = new { sequences },
            model = new { hiddenSize = 8, output = new { kind = "dense", steps = "last" }, loss = "crossEntropy" },
            training = new { epochs = 40, batchSize = 8, learningRate = 0.02, validationFraction = 0.0, seed = 1 },
        });
        var done = await client.WaitAsync(job.Id);
        Assert.True(done.Status == JobStatus.Succeeded, done.Error);

        var rising = Enumerable.Range(0, 6).Select(t => new[] { t * 0.2 }).ToArray();
        var falling = Enumerable.Range(0, 6).Select(t => new[] { -t * 0.2 }).ToArray();
        var (status, body) = await client.PostAsync($"/api/models/{done.ModelId}/predict", new { sequences = new[] { rising, falling } });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["up", "down"], body!["labels"]!.AsArray().Select(l => l!.GetValue<string>()));
        foreach (var probabilities in body["outputs"]!.AsArray())
        {
            var p = probabilities!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
            Assert.Equal(2, p.Length);
            Assert.Equal(1.0, p.Sum(), 1e-9);
        }
        var model = JsonNode.Parse(await client.Http.GetStringAsync($"/api/models/{done.ModelId}"))!;
        Assert.Equal(["down", "up"], model["labels"]!.AsArray().Select(l => l!.GetValue<string>()));

        // A tenth of each class was held out (stratified) and scored: 2 "down" and 2 "up" sequences.
        var evaluation = model["evaluation"]!;
        Assert.Equal(("test", 4), (evaluation["split"]!.GetValue<string>(), evaluation["sequences"]!.GetValue<int>()));
        var confusion = evaluation["confusion"]!.AsArray().Select(r => r!.AsArray().Select(v => v!.GetValue<int>()).ToArray()).ToArray();
        Assert.Equal([2, 2], confusion.Select(row => row.Sum()));
        Assert.Equal((confusion[0][0] + confusion[1][1]) / 4.0, evaluation["accuracy"]!.GetValue<double>());
        Assert.Equal(1.0, evaluation["accuracy"]!.GetValue<double>()); // rising against falling is easy
        Assert.Equal(2, evaluation["perClass"]!["up"]!["support"]!.GetValue<int>());
        Assert.Equal(0.1, model["training"]!["testFraction"]!.GetValue<double>());
        Assert.Equal(evaluation.ToJsonString(), JsonNode.Parse(await client.Http.GetStringAsync($"/api/jobs/{job.Id}"))!["evaluation"]!.ToJsonString());

        // Scored on sequences the caller brings: the rising one is called "down" here, so half are wrong.
        var labelled = new[] { new { inputs = rising, label = "down" }, new { inputs = falling, label = "down" } };
        (status, body) = await client.PostAsync($"/api/models/{done.ModelId}/evaluate", new { data = new { sequences = labelled } });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(("data", 2, 0.5), (body!["split"]!.GetValue<string>(), body["sequences"]!.GetValue<int>(), body["accuracy"]!.GetValue<double>()));
        Assert.Equal("[[1,1],[0,0]]", body["confusion"]!.ToJsonString());
        (status, body) = await client.PostAsync($"/api/models/{done.ModelId}/evaluate", new { data = new { sequences = new[] { new { inputs = rising, label = "sideways" } } } });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("Each sequence needs a label the model knows: down, up.", body!["errors"]!["data.sequences[0].label"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task A_loaded_model_answers_without_reading_its_weights_and_deleting_it_unloads_it()
    {
        using var app = new LstmApplication();
        var client = new ServiceClient(app.CreateClient());
        var job = await client.PostJobAsync(TestRequests.SmallJob(TestRequests.SineSequences(12, 5), epochs: 2));
        var modelId = (await client.WaitAsync(job.Id)).ModelId!;
        var request = new { sequences = new[] { new[] { new[] { 0.1, 0.2 } } } };
        var (status, first) = await client.PostAsync($"/api/models/{modelId}/predict", request);
        Assert.Equal(HttpStatusCode.OK, status);

        // Spoil the stored weights: a prediction that read them would fail.
        using (var scope = app.Services.CreateScope())
        {
            var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<LstmDbContext>>().CreateDbContextAsync();
            await db.Models.Where(m => m.Id == modelId).ExecuteUpdateAsync(m => m.SetProperty(x => x.File, new byte[] { 1, 2, 3 }));
        }
        var (again, second) = await client.PostAsync($"/api/models/{modelId}/predict", request);
        Assert.Equal(HttpStatusCode.OK, again);
        Assert.Equal(first!.ToJsonString(), second!.ToJsonString());

        Assert.Equal(HttpStatusCode.NoContent, (await client.Http.DeleteAsync($"/api/models/{modelId}")).StatusCode);
        var (gone, _) = await client.PostAsync($"/api/models/{modelId}/predict", request);
        Assert.Equal(HttpStatusCode.NotFound, gone);
    }

    [Fact]
    public async Task Concurrent_predictions_share_forward_passes_and_answer_as_each_alone()
    {
        // A window long enough that requests sent together are gathered even on a busy machine.
        using var app = new LstmApplication(new() { ["Serving:BatchWindowMilliseconds"] = "200", ["RateLimits:PredictPerSecond"] = "0" });
        var client = new ServiceClient(app.CreateClient());
        var job = await client.PostJobAsync(TestRequests.SmallJob(TestRequests.SineSequences(16, 6), epochs: 3));
        var done = await client.WaitAsync(job.Id);
        Assert.True(done.Status == JobStatus.Succeeded, done.Error);
        string path = $"/api/models/{done.ModelId}/predict";

        // Sequences of different lengths, and one whose value cannot be normalized into float32.
        object Request(int n) => new { sequences = new[] { Enumerable.Range(0, 2 + n % 5).Select(t => new[] { Math.Sin(n + t), n == 7 ? 1e300 : Math.Cos(n + t) }).ToArray() } };
        var alone = new List<(HttpStatusCode, string)>();
        for (int n = 0; n < 24; n++)
        {
            var (status, body) = await client.PostAsync(path, Request(n));
            alone.Add((status, status == HttpStatusCode.OK ? body!["outputs"]!.ToJsonString() : body!["errors"]!.ToJsonString()));
        }
        var model = await app.Services.GetRequiredService<Models.ModelCache>().GetAsync(done.ModelId!, null!, CancellationToken.None);
        int passesBefore = model!.BatchedForwardPasses;

        var together = await Task.WhenAll(Enumerable.Range(0, 24).Select(async n =>
        {
            var (status, body) = await client.PostAsync(path, Request(n));
            return (status, status == HttpStatusCode.OK ? body!["outputs"]!.ToJsonString() : body!["errors"]!.ToJsonString());
        }));
        Assert.Equal(alone, together);
        Assert.Equal(HttpStatusCode.BadRequest, together[7].Item1); // and only that one
        Assert.Equal(23, together.Count(a => a.Item1 == HttpStatusCode.OK));
        int passes = model.BatchedForwardPasses - passesBefore;
        Assert.True(passes < 24, $"{passes} forward passes for 24 requests sent together");
        // Jobs gave way to each prediction, and have every thread back once they are answered, the refused one included.
        var training = app.Services.GetRequiredService<Training.TrainingCompute>().Context;
        Assert.Equal(training.Threads, training.ActiveThreads);
    }
}

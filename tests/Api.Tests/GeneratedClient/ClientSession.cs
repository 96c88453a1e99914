// A user's program written against the C# client NSwag generates from the served OpenAPI document
// (GeneratedClientTests compiles the two together): every call goes through the generated code.
using Generated;
using Xunit;

public static class ClientSession
{
    public static async Task RunAsync(HttpClient http, string csvPath)
    {
        var client = new LstmClient(http);

        // Datasets: JSON sequences, and a CSV file as it is on disk.
        var sines = await client.UploadDatasetAsync(null, null, null, new DatasetUpload
        {
            Name = "sines",
            Sequences = [.. Enumerable.Range(0, 24).Select(n => new SequenceData
            {
                Inputs = [.. Enumerable.Range(0, 6).Select(t => (ICollection<double>)[Math.Sin(0.3 * (n + t)), Math.Cos(0.3 * (n + t))])],
                Target = [Math.Sin(0.3 * (n + 6))],
            })],
        });
        Assert.Equal(("sequences", 24, 2), (sines.Kind, sines.SequenceCount, sines.InputSize));
        await using (var file = File.OpenRead(csvPath))
        {
            var orders = await client.UploadCsvDatasetAsync("orders", null, null, file);
            Assert.Equal(("series", 12), (orders.Kind, orders.SeasonLength));

            // Jobs with every setting the service chooses left unset, as a generated class leaves them.
            var sequenceJob = await client.CreateJobAsync(null, new JobRequest
            {
                DatasetId = sines.Id,
                Model = new ModelRequest { Output = new OutputRequest { Kind = OutputKind.Dense, Size = 1, Steps = OutputSteps.Last } },
            });
            // Sent twice with one Idempotency-Key, as a retry after a lost answer would: one job.
            var seriesRequest = new JobRequest { Name = "orders", DatasetId = orders.Id };
            var seriesJob = await client.CreateJobAsync("orders-1", seriesRequest);
            Assert.Equal(seriesJob.Id, (await client.CreateJobAsync("orders-1", seriesRequest)).Id);
            Assert.Equal(JobStatus.Queued, seriesJob.Status);

            var sequenceDone = await WaitAsync(client, sequenceJob.Id);
            var seriesDone = await WaitAsync(client, seriesJob.Id);
            var losses = await client.GetLossesAsync(sequenceDone.Id);
            Assert.Equal(50, losses.Count); // the service's default epochs for sequences
            Assert.All(losses, l => Assert.True(double.IsFinite(l.TrainLoss)));
            Assert.Equal(losses.Last().TrainLoss, sequenceDone.LatestLoss.Train);
            var jobs = await client.ListJobsAsync(null, 1, 50);
            Assert.Equal(2, jobs.Total);
            Assert.Equal(2, (await client.ListModelsAsync(1, 1)).Total); // before the import below
            Assert.Single((await client.ListDatasetsAsync(2, 1)).Items);

            // The series model was given the series' defaults and knows what it forecasts.
            var seriesModel = await client.GetModelAsync(seriesDone.ModelId);
            Assert.Equal(32, seriesModel.Spec.HiddenSize);
            Assert.Equal(24, seriesModel.Forecasting.Window);
            Assert.NotNull(seriesDone.Evaluation);

            // Predict and forecast.
            var predicted = await client.PredictAsync(sequenceDone.ModelId, new PredictRequest
            {
                Sequences = [[[0.1, 0.9], [0.3, 0.8]], [[0.5, 0.5]]],
            });
            Assert.Equal(2, predicted.Outputs.Count);
            var history = File.ReadLines(csvPath).Skip(1).TakeLast(48)
                .Select(line => (ICollection<double>)[double.Parse(line.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture)]).ToList();
            var forecast = await client.ForecastAsync(seriesDone.ModelId, new ForecastRequest { History = history, Horizon = 6 });
            Assert.Equal(6, forecast.Forecast.Count);
            Assert.All(forecast.Forecast.Zip(forecast.Lower, forecast.Upper), step => Assert.InRange(step.First.Single(), step.Second.Single(), step.Third.Single()));

            // Weights: the model file the service exports, imported back as a model that predicts the same.
            using var weights = await client.ExportWeightsAsync(sequenceDone.ModelId);
            using var bytes = new MemoryStream();
            await weights.Stream.CopyToAsync(bytes);
            bytes.Position = 0;
            var imported = await client.ImportModelAsync(null, new FileParameter(bytes, "model.safetensors", "application/octet-stream"), null, "imported");
            Assert.Null(imported.JobId);
            var again = await client.PredictAsync(imported.Id, new PredictRequest { Sequences = [[[0.1, 0.9], [0.3, 0.8]], [[0.5, 0.5]]] });
            Assert.Equal(System.Text.Json.JsonSerializer.Serialize(predicted.Outputs), System.Text.Json.JsonSerializer.Serialize(again.Outputs));
        }

        // A bad request arrives as the client's exception, with the service's problem details.
        var error = await Assert.ThrowsAsync<ApiException<HttpValidationProblemDetails>>(() => client.CreateJobAsync(null, new JobRequest
        {
            DatasetId = sines.Id,
            Training = new TrainingRequest { Epochs = 0 },
        }));
        Assert.Equal(400, error.StatusCode);
        Assert.Contains("training.epochs", error.Result.Errors.Keys);
    }

    private static async Task<JobView> WaitAsync(LstmClient client, string id)
    {
        for (var started = DateTime.UtcNow; DateTime.UtcNow - started < TimeSpan.FromMinutes(2); await Task.Delay(100))
        {
            var job = await client.GetJobAsync(id);
            if (job.Status is JobStatus.Succeeded) return job;
            Assert.True(job.Status is JobStatus.Queued or JobStatus.Running, $"job {id} is {job.Status}: {job.Error}");
        }
        throw new TimeoutException($"job {id} did not finish in two minutes");
    }
}

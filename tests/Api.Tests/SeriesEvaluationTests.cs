// A forecaster's life on a real series, through HTTP: a CSV with a time column and gaps, a job
// with a target and a covariate, and the evaluation it stores, in the data's own units.
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using LstmService.Api.Datasets;
using LstmService.Api.Models;
using LstmService.Persistence;

namespace LstmService.Api.Tests;

public class SeriesEvaluationTests
{
    internal static string Sample(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Samples", name));

    internal static async Task<DatasetView> UploadCsvAsync(ServiceClient client, string name, string csv)
    {
        var response = await client.Http.PostAsync($"/api/datasets?name={name}", new StringContent(csv, System.Text.Encoding.UTF8, "text/csv"));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<DatasetView>(ServiceClient.Json))!;
    }

    [Fact]
    public async Task A_quarterly_series_with_gaps_is_evaluated_on_its_last_tenth_beside_the_baselines()
    {
        using var app = new LstmApplication();
        var client = new ServiceClient(app.CreateClient());
        // macro.csv: date, realgdp, realcons, realinv, unemp, infl; 203 quarters. Keep date, realgdp and
        // realcons, and empty two realcons cells and one realgdp cell of the training part.
        var lines = Sample("macro.csv").Trim().Split('\n').Select(l => l.Split(',')[..3]).ToArray();
        lines[10][2] = "";
        lines[11][2] = "";
        lines[50][1] = "";
        var dataset = await UploadCsvAsync(client, "macro", string.Join("\n", lines.Select(l => string.Join(",", l))) + "\n\n");
        Assert.Equal((203, 3, "date", "P3M", 4, 0), (dataset.Rows, dataset.MissingCells, dataset.TimeColumn, dataset.TimeSpacing, dataset.SeasonLength, dataset.IrregularSteps));
        Assert.Equal(["realgdp", "realcons"], dataset.Columns!);

        var job = await client.PostJobAsync(new
        {
            datasetId = dataset.Id,
            model = new { hiddenSize = 8 },
            training = new { epochs = 5, batchSize = 16, learningRate = 0.01, window = 8, targets = new[] { "realgdp" }, seed = 3, earlyStoppingPatience = 0, linear = false },
        });
        var done = await client.WaitAsync(job.Id);
        Assert.True(done.Status == JobStatus.Succeeded, done.Error);
        Assert.Equal(false, done.StoppedEarly);
        Assert.Equal(5, done.WeightsEpoch);

        var model = (await client.Http.GetFromJsonAsync<ModelView>($"/api/models/{done.ModelId}", ServiceClient.Json))!;
        Assert.Equal((8, 1, 4), (model.Forecasting!.Window, model.Forecasting.Horizon, model.Forecasting.SeasonLength));
        Assert.Equal(["realgdp", "realcons"], model.Forecasting.Columns);
        Assert.Equal(["realgdp"], model.Forecasting.Targets);
        Assert.Equal((2, 1), (model.Spec.InputSize, model.Spec.Output.Size));
        Assert.Equal((8, 1, 0.1, 4, dataset.Id), (model.Training!.Window, model.Training.Horizon, model.Training.TestFraction, model.Training.SeasonLength, model.DatasetId));
        Assert.Equal(Jobs.MissingPolicy.Interpolate, model.Training.Missing);

        // The last round(0.1 · 203) = 20 quarters, scored one step ahead; the baselines by hand from the CSV.
        var evaluation = model.Evaluation!;
        Assert.Equal(("test", 20, 4), (evaluation.Split, evaluation.Windows, evaluation.SeasonLength));
        var gdp = lines[1..].Select(l => l[1] == "" ? double.NaN : double.Parse(l[1], CultureInfo.InvariantCulture)).ToArray();
        var test = Enumerable.Range(183, 20).ToArray();
        double naiveMae = test.Average(t => Math.Abs(gdp[t] - gdp[t - 1]));
        double seasonalRmse = Math.Sqrt(test.Average(t => Math.Pow(gdp[t] - gdp[t - 4], 2)));
        Assert.Equal(naiveMae, evaluation.Baselines!.Naive["realgdp"]!.Mae!.Value, 9);
        Assert.Equal(seasonalRmse, evaluation.Baselines.SeasonalNaive["realgdp"]!.Rmse!.Value, 9);
        Assert.True(evaluation.Metrics!["realgdp"]!.Rmse > 0);
        Assert.Null(evaluation.Horizons);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(evaluation, ServiceClient.Json), System.Text.Json.JsonSerializer.Serialize(done.Evaluation, ServiceClient.Json));
        Assert.Equal([0.8, 0.95], evaluation.Coverage!.Select(c => c.Nominal));
        Assert.All(evaluation.Coverage!, c => Assert.InRange(c.Empirical["realgdp"]!.Value, 0, 1));

        // Forecast from the last two years: one step (the covariate's future is unknown), with its interval.
        var history = lines[^8..].Select(l => l[1..].Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        var response = await client.Http.PostAsJsonAsync($"/api/models/{model.Id}/forecast", new { history, horizon = 1, coverage = 0.9 });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var forecast = (await response.Content.ReadFromJsonAsync<ForecastResponse>(ServiceClient.Json))!;
        Assert.Equal((1, 1, 0.9, 1), (forecast.Forecast.Length, forecast.Forecast[0].Length, forecast.Coverage, forecast.IntervalSteps));
        Assert.True(forecast.Lower![0][0] < forecast.Forecast[0][0] && forecast.Forecast[0][0] < forecast.Upper![0][0]);
        Assert.Equal(forecast.Forecast[0][0] - forecast.Lower[0][0], forecast.Upper[0][0] - forecast.Forecast[0][0], 9);
        // The same point through predict.
        var predicted = await client.PostAsync($"/api/models/{model.Id}/predict", new { sequences = new[] { history } });
        Assert.Equal(forecast.Forecast[0][0], predicted.Body!["outputs"]![0]![0]!.GetValue<double>());

        var (status, problem) = await client.PostAsync($"/api/models/{model.Id}/forecast", new { history, horizon = 2 });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("This model forecasts 1 step of realgdp from realgdp, realcons; more steps would need the future values of realcons, which it does not forecast. Ask for at most 1, or use /predict with windows that hold them.",
            problem!["errors"]!["horizon"]![0]!.GetValue<string>());
        (status, problem) = await client.PostAsync($"/api/models/{model.Id}/forecast", new { history = history[..5], horizon = 1 });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("The model reads the last 8 rows; the history has 5. Send at least 8 rows.", problem!["errors"]!["history"]![0]!.GetValue<string>());
        (status, problem) = await client.PostAsync($"/api/models/{model.Id}/forecast", new { history, coverage = 0.999 });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.NotNull(problem!["errors"]!["coverage"]);

        // New data: the whole of macro.csv (five columns; the model's two picked by name), scored from
        // every origin after the window; the baselines by hand again.
        var full = await UploadCsvAsync(client, "macro-full", Sample("macro.csv"));
        response = await client.Http.PostAsJsonAsync($"/api/models/{model.Id}/evaluate", new { datasetId = full.Id });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var onData = (await response.Content.ReadFromJsonAsync<ModelEvaluation>(ServiceClient.Json))!;
        var complete = Sample("macro.csv").Trim().Split('\n')[1..].Select(l => double.Parse(l.Split(',')[1], CultureInfo.InvariantCulture)).ToArray();
        var origins = Enumerable.Range(8, 203 - 8).ToArray();
        Assert.Equal(("data", 195), (onData.Split, onData.Windows));
        Assert.Equal(origins.Average(t => Math.Abs(complete[t] - complete[t - 1])), onData.Baselines!.Naive["realgdp"]!.Mae!.Value, 9);
        Assert.Equal(origins.Average(t => Math.Abs(complete[t] - complete[t - 4])), onData.Baselines.SeasonalNaive["realgdp"]!.Mae!.Value, 9);
        // MASE divides by the training part's in-sample seasonal-naive MAE, whatever the data.
        Assert.Equal(onData.Metrics!["realgdp"]!.Mae!.Value / model.Forecasting.MaseScale![0]!.Value, onData.Metrics["realgdp"]!.Mase!.Value, 9);

        // The same series inline, as the model's two columns.
        var inline = Sample("macro.csv").Trim().Split('\n')[1..].Select(l => l.Split(',')[1..3].Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        var inlineAnswer = await client.PostAsync($"/api/models/{model.Id}/evaluate", new { data = new { sequences = new[] { new { inputs = inline } } } });
        Assert.Equal(HttpStatusCode.OK, inlineAnswer.Status);
        Assert.Equal(onData.Metrics["realgdp"]!.Rmse!.Value, inlineAnswer.Body!["metrics"]!["realgdp"]!["rmse"]!.GetValue<double>(), 12);

        (status, problem) = await client.PostAsync($"/api/models/{model.Id}/evaluate", new { data = new { sequences = new[] { new { inputs = inline[..8] } } } });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("The model needs 8 rows of history before the first row it forecasts (its window and season); the series has 8.", problem!["errors"]!["data.sequences"]![0]!.GetValue<string>());
        var other = await UploadCsvAsync(client, "elec", Sample("elec-equip.csv"));
        (status, problem) = await client.PostAsync($"/api/models/{model.Id}/evaluate", new { datasetId = other.Id });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("The dataset lacks realgdp, realcons; the model reads realgdp, realcons.", problem!["errors"]!["datasetId"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task A_series_model_whose_lstm_does_not_beat_its_linear_part_on_validation_is_the_linear_part()
    {
        using var app = new LstmApplication();
        var client = new ServiceClient(app.CreateClient());
        var dataset = await UploadCsvAsync(client, "elec-equip", Sample("elec-equip.csv"));
        // Adam at a learning rate of 5 throws the LSTM far off in its first step: no epoch beats where it started.
        var job = await client.PostJobAsync(new { datasetId = dataset.Id, model = new { hiddenSize = 4 }, training = new { epochs = 3, learningRate = 5.0 } });
        var done = await client.WaitAsync(job.Id);
        Assert.True(done.Status == JobStatus.Succeeded, done.Error);
        Assert.Equal(0, done.WeightsEpoch);
        var model = (await client.Http.GetFromJsonAsync<ModelView>($"/api/models/{done.ModelId}", ServiceClient.Json))!;
        Assert.Equal(0, model.Metrics!.WeightsEpoch);
        Assert.True(model.Metrics.ValidationLoss < (await client.Http.GetFromJsonAsync<Jobs.EpochLoss[]>($"/api/jobs/{job.Id}/losses", ServiceClient.Json))!.Min(e => e.ValidationLoss));

        // Its forecast is the linear part's, by the weights its view shows: changes from the last
        // value in units of the typical step, the 23 steps before the last one as features.
        var f = model.Forecasting!;
        Assert.Equal((24, 12), (f.Window, f.SeasonLength)); // two seasons of a monthly series
        var (steps, linear) = (f.WindowModel!.Scalings[0].Steps, f.WindowModel.Linear!);
        Assert.Equal(23, linear.Lags);
        double[] orders = [.. Sample("elec-equip.csv").Trim().Split('\n')[^24..].Select(l => double.Parse(l.Split(',')[1], CultureInfo.InvariantCulture))];
        double expected = orders[^1] + steps[0] * (linear.Bias[0] + Enumerable.Range(0, 23).Sum(k => linear.Weights[0][k] * (orders[k] - orders[^1]) / steps[0]));
        var forecast = await client.PostAsync($"/api/models/{model.Id}/forecast", new { history = orders.Select(v => new[] { v }), horizon = 1 });
        Assert.Equal(HttpStatusCode.OK, forecast.Status);
        Assert.Equal(expected, forecast.Body!["forecast"]![0]![0]!.GetValue<double>(), 6);
    }

    [Fact]
    public async Task Intervals_cover_a_noisy_seasonal_series_as_often_as_nominal_on_its_test_part()
    {
        // 5,000 hours of a daily cycle with Gaussian noise (σ = 1): the last 1,500 are the test part.
        var noise = new MathNet.Numerics.Distributions.Normal(0, 1, new Random(11));
        var csv = "value\n" + string.Join("\n", Enumerable.Range(0, 5000).Select(t => (10 * Math.Sin(2 * Math.PI * t / 24) + noise.Sample()).ToString("R", CultureInfo.InvariantCulture)));
        using var app = new LstmApplication();
        var client = new ServiceClient(app.CreateClient());
        var dataset = await UploadCsvAsync(client, "noisy", csv);
        var job = await client.PostJobAsync(new
        {
            datasetId = dataset.Id,
            model = new { hiddenSize = 8 },
            training = new { epochs = 3, batchSize = 64, learningRate = 0.01, window = 24, horizon = 2, seasonLength = 24, validationFraction = 0.2, testFraction = 0.3, seed = 4 },
        });
        var done = await client.WaitAsync(job.Id);
        Assert.True(done.Status == JobStatus.Succeeded, done.Error);
        var evaluation = done.Evaluation!;
        Assert.Equal(1500, evaluation.Windows);
        // Beyond its horizon of 2 the model is scored two seasons ahead, its forecasts fed back:
        // near the noise (σ = 1) at every step, and better than the value a season back (√2·σ).
        Assert.Equal(Enumerable.Range(1, 48), evaluation.Horizons!.Select(h => h.Step));
        Assert.All(evaluation.Horizons!, h => Assert.InRange(h.Metrics["value"]!.Rmse!.Value, 0.9, Math.Min(1.3, h.Baselines.SeasonalNaive["value"]!.Rmse!.Value)));
        foreach (var step in evaluation.Horizons!)
            foreach (var check in step.Coverage!)
                Assert.InRange(check.Empirical["value"]!.Value, check.Nominal - 0.05, check.Nominal + 0.05);
        // A model that learnt the cycle beats the last value by far, and its errors are about the noise's.
        Assert.True(evaluation.Metrics!["value"]!.Rmse < 0.5 * evaluation.Baselines!.Naive["value"]!.Rmse);
        Assert.InRange(evaluation.Metrics["value"]!.Rmse!.Value, 0.9, 1.5);

        // Predict answers [horizon][targets] per window; forecast goes past the horizon by feeding back, with intervals.
        var window = csv.Split('\n')[^24..].Select(v => new[] { double.Parse(v, CultureInfo.InvariantCulture) }).ToArray();
        var predicted = await client.PostAsync($"/api/models/{done.ModelId}/predict", new { sequences = new[] { window } });
        Assert.Equal(HttpStatusCode.OK, predicted.Status);
        Assert.Equal([1, 1], predicted.Body!["outputs"]![0]!.AsArray().Select(step => step!.AsArray().Count));
        var forecast = await client.PostAsync($"/api/models/{done.ModelId}/forecast", new { history = window, horizon = 5 });
        Assert.Equal(HttpStatusCode.OK, forecast.Status);
        Assert.Equal(5, forecast.Body!["forecast"]!.AsArray().Count);
        Assert.Equal(predicted.Body["outputs"]![0]![1]![0]!.GetValue<double>(), forecast.Body["forecast"]![1]![0]!.GetValue<double>());
        Assert.Equal(5, forecast.Body["intervalSteps"]!.GetValue<int>());
        Assert.Equal(5, forecast.Body["upper"]!.AsArray().Count);
    }


    [Fact]
    public async Task Intervals_calibrated_on_few_forecasts_are_left_out_unless_a_coverage_is_asked_for()
    {
        using var app = new LstmApplication();
        var client = new ServiceClient(app.CreateClient());
        var csv = "v\n" + string.Join("\n", Enumerable.Range(0, 60).Select(t => (t % 7).ToString()));
        var dataset = await UploadCsvAsync(client, "short", csv);
        // 60 rows, validationFraction 0.05: 3 validation forecasts, enough for at most 0.75 coverage.
        var job = await client.PostJobAsync(new { datasetId = dataset.Id, model = new { hiddenSize = 4 }, training = new { window = 7, epochs = 2, validationFraction = 0.05, scaling = "zscore" } });
        var done = await client.WaitAsync(job.Id);
        Assert.True(done.Status == JobStatus.Succeeded, done.Error);
        double[][] history = [.. Enumerable.Range(0, 7).Select(t => new double[] { t })];

        var plain = await client.PostAsync($"/api/models/{done.ModelId}/forecast", new { history, horizon = 2 });
        Assert.Equal(HttpStatusCode.OK, plain.Status);
        Assert.Equal(2, plain.Body!["forecast"]!.AsArray().Count);
        Assert.Null(plain.Body["lower"]);
        Assert.Equal(0, plain.Body["intervalSteps"]!.GetValue<int>());

        var half = await client.PostAsync($"/api/models/{done.ModelId}/forecast", new { history, horizon = 2, coverage = 0.5 });
        Assert.Equal(HttpStatusCode.OK, half.Status);
        Assert.Equal(0.5, half.Body!["coverage"]!.GetValue<double>());
        Assert.NotNull(half.Body["lower"]);

        var asked = await client.PostAsync($"/api/models/{done.ModelId}/forecast", new { history, coverage = 0.8 });
        Assert.Equal(HttpStatusCode.BadRequest, asked.Status);
        Assert.Equal("The intervals for v were calibrated on 3 validation forecasts, too few for 0.8 coverage (at most 0.75). Ask for less, or train with a larger validationFraction.",
            asked.Body!["errors"]!["coverage"]![0]!.GetValue<string>());

        // Scoring data float32 cannot hold (z-scored) is a 400, not a failure.
        var (status, body) = await client.PostAsync($"/api/models/{done.ModelId}/evaluate", new { data = new { sequences = new[] { new { inputs = history.Append([1e300]).Append([1]).ToArray() } } } });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("float32", body!["errors"]!["data.sequences"]![0]!.GetValue<string>());
    }
}

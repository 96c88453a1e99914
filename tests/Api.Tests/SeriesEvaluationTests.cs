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
            training = new { epochs = 5, batchSize = 16, learningRate = 0.01, window = 8, targets = new[] { "realgdp" }, seed = 3 },
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
        Assert.Equal(naiveMae, evaluation.Baselines!.Naive["realgdp"]!.Mae, 9);
        Assert.Equal(seasonalRmse, evaluation.Baselines.SeasonalNaive["realgdp"]!.Rmse, 9);
        Assert.True(evaluation.Metrics!["realgdp"]!.Rmse > 0);
        Assert.Null(evaluation.Horizons);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(evaluation, ServiceClient.Json), System.Text.Json.JsonSerializer.Serialize(done.Evaluation, ServiceClient.Json));
    }

}

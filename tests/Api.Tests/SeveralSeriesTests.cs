// Several series in one CSV (stocks.csv: five symbols' monthly prices): one upload with a series
// column, one global model trained across them, evaluated per series and on their mean, and
// forecasts, predictions and scores asked for by series id.
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using LstmService.Api.Datasets;
using LstmService.Api.Models;
using LstmService.Persistence;

namespace LstmService.Api.Tests;

public class SeveralSeriesTests
{
    private static readonly string[] Symbols = ["MSFT", "AMZN", "IBM", "GOOG", "AAPL"];

    private static async Task<(HttpStatusCode, JsonNode?)> UploadAsync(ServiceClient client, string csv, string query) =>
        await client.PostRawAsync($"/api/datasets?name=stocks{query}", csv, "text/csv");

    [Fact]
    public async Task A_csv_with_a_series_column_holds_each_series_in_the_order_of_its_first_row()
    {
        using var app = new LstmApplication();
        var client = new ServiceClient(app.CreateClient());
        var (status, body) = await UploadAsync(client, SeriesEvaluationTests.Sample("stocks.csv"), "&seriesColumn=symbol");
        Assert.Equal(HttpStatusCode.Created, status);
        var dataset = body.Deserialize<DatasetView>(ServiceClient.Json)!;
        Assert.Equal((5, 560, "symbol", "date", "P1M", 12), (dataset.SequenceCount, dataset.Rows, dataset.SeriesColumn, dataset.TimeColumn, dataset.TimeSpacing, dataset.SeasonLength));
        Assert.Equal(["price"], dataset.Columns!);

        // Rows may come interleaved (by date, then symbol): each series keeps its own order.
        var lines = SeriesEvaluationTests.Sample("stocks.csv").Trim().Split('\n');
        var byDate = lines[1..].Select(l => l.Split(',')).OrderBy(c => c[1], StringComparer.Ordinal).ThenBy(c => c[0], StringComparer.Ordinal).Select(c => string.Join(",", c));
        (status, body) = await UploadAsync(client, lines[0] + "\n" + string.Join("\n", byDate), "&seriesColumn=symbol");
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(5, body!["sequenceCount"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("", "column symbol", "The column holds text ('MSFT' on line 2), not numbers. A series holds numeric columns and at most one time column of dates; if the column names the series each row belongs to, upload with ?seriesColumn=symbol.")]
    [InlineData("&seriesColumn=ticker", "seriesColumn", "'ticker' is not a column; the columns are symbol, date, price.")]
    [InlineData("&seriesColumn=symbol&swap=1", "line 4, column date", "2000-02-01 00:00:00 is not after the previous row's 2000-03-01 00:00:00; rows must be in time order, each time once.")]
    [InlineData("&seriesColumn=symbol&blank=1", "line 3, column symbol", "Every row needs the id of its series (1 to 200 characters).")]
    public async Task A_series_column_that_is_missing_unknown_or_out_of_order_is_a_400_naming_the_cell(string query, string field, string message)
    {
        using var app = new LstmApplication();
        var client = new ServiceClient(app.CreateClient());
        var lines = SeriesEvaluationTests.Sample("stocks.csv").Trim().Split('\n');
        if (query.Contains("swap")) (lines[2], lines[3]) = (lines[3], lines[2]); // MSFT's February after its March
        if (query.Contains("blank")) lines[2] = "," + lines[2].Split(',', 2)[1];
        var (status, body) = await UploadAsync(client, string.Join("\n", lines), query.Split("&swap")[0].Split("&blank")[0]);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal([message], body!["errors"]![field]!.AsArray().Select(m => m!.GetValue<string>()));
    }

    [Fact]
    public async Task A_global_model_is_evaluated_per_series_and_forecasts_the_series_it_is_asked_for()
    {
        using var app = new LstmApplication();
        var client = new ServiceClient(app.CreateClient());
        var (_, uploaded) = await UploadAsync(client, SeriesEvaluationTests.Sample("stocks.csv"), "&seriesColumn=symbol");
        string datasetId = uploaded!["id"]!.GetValue<string>();
        var job = await client.PostJobAsync(new { datasetId, training = new { epochs = 3 } });
        var done = await client.WaitAsync(job.Id);
        Assert.True(done.Status == JobStatus.Succeeded, done.Error);

        // Each series' last tenth is its test part: 12 months of the 123-month ones, 7 of GOOG's 68.
        var evaluation = done.Evaluation!;
        Assert.Equal(Symbols, evaluation.Series!.Keys);
        Assert.Equal([12, 12, 12, 7, 12], Symbols.Select(s => evaluation.Series[s].Windows!.Value));
        Assert.Equal(55, evaluation.Windows);
        Assert.Equal(Symbols.Average(s => evaluation.Series[s].Metrics!["price"]!.Mase!.Value), evaluation.Metrics!["price"]!.Mase!.Value, 12);
        Assert.Equal(Symbols.Average(s => evaluation.Series[s].Baselines!.Naive["price"]!.Mase!.Value), evaluation.Baselines!.Naive["price"]!.Mase!.Value, 12);

        var model = (await client.Http.GetFromJsonAsync<ModelView>($"/api/models/{done.ModelId}", ServiceClient.Json))!;
        Assert.Equal(Symbols, model.Forecasting!.Series!.Select(s => s.Id));
        Assert.Null(model.Forecasting.MaseScale);
        Assert.Equal(5, model.Forecasting.WindowModel!.Scalings.Count);
        int window = model.Forecasting.Window;

        // The last window of GOOG's prices, as a client holds it.
        var goog = SeriesEvaluationTests.Sample("stocks.csv").Trim().Split('\n').Where(l => l.StartsWith("GOOG,")).Select(l => new[] { double.Parse(l.Split(',')[2], System.Globalization.CultureInfo.InvariantCulture) }).ToArray()[^window..];
        var (status, body) = await client.PostAsync($"/api/models/{model.Id}/forecast", new { history = goog, horizon = 3 });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("This model forecasts several series; name the one the data are of: MSFT, AMZN, IBM, GOOG, AAPL.", body!["errors"]!["series"]![0]!.GetValue<string>());
        (status, body) = await client.PostAsync($"/api/models/{model.Id}/forecast", new { history = goog, horizon = 3, series = "NFLX" });
        Assert.Equal("'NFLX' is not a series of this model; its series are MSFT, AMZN, IBM, GOOG, AAPL.", body!["errors"]!["series"]![0]!.GetValue<string>());

        var (ok, forecast) = await client.PostAsync($"/api/models/{model.Id}/forecast", new { history = goog, horizon = 3, series = "GOOG" });
        Assert.Equal(HttpStatusCode.OK, ok);
        Assert.Equal(3, forecast!["forecast"]!.AsArray().Count);
        Assert.NotNull(forecast["lower"]);
        // The same window read as another series' is scaled by that series' typical step: another forecast.
        var (_, asIbm) = await client.PostAsync($"/api/models/{model.Id}/forecast", new { history = goog, horizon = 1, series = "IBM" });
        Assert.NotEqual(forecast["forecast"]![0]![0]!.GetValue<double>(), asIbm!["forecast"]![0]![0]!.GetValue<double>());
        var (_, predicted) = await client.PostAsync($"/api/models/{model.Id}/predict", new { sequences = new[] { goog }, series = "GOOG" });
        Assert.Equal(forecast["forecast"]![0]![0]!.GetValue<double>(), predicted!["outputs"]![0]![0]!.GetValue<double>());

        // Scored again on its dataset: every series by its id, the same figures as the held-out ones on the test rows' origins and more.
        var (scoredStatus, scored) = await client.PostAsync($"/api/models/{model.Id}/evaluate", new { datasetId });
        Assert.Equal(HttpStatusCode.OK, scoredStatus);
        Assert.Equal(Symbols, scored!["series"]!.AsObject().Select(p => p.Key));
        var (inlineStatus, inline) = await client.PostAsync($"/api/models/{model.Id}/evaluate", new { data = new { sequences = new[] { new { inputs = goog.Concat(goog).ToArray() } } }, series = "GOOG" });
        Assert.True(inlineStatus == HttpStatusCode.OK, inline?.ToJsonString());
    }
}

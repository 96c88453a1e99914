// Real CSVs as users bring them: time columns in the common forms, gaps, blank lines, headers
// that are not headers, text columns. Each case gets the exact 400 or the dataset it makes.
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using LstmService.Api.Datasets;

namespace LstmService.Api.Tests;

public class CsvSeriesTests : IDisposable
{
    private readonly LstmApplication _app = new();
    private readonly ServiceClient _client;

    public CsvSeriesTests() => _client = new ServiceClient(_app.CreateClient());

    public void Dispose() => _app.Dispose();

    [Theory]
    [InlineData("sf-temps.csv", 8759, "PT1H", 24, 1, new[] { "temp" })] // the spring-forward hour is not in the file
    [InlineData("seattle-weather.csv", 1461, "P1D", 7, 0, new[] { "temp_max", "temp_min", "precipitation", "wind" })]
    [InlineData("elec-equip.csv", 257, "P1M", 12, 0, new[] { "orders" })]
    [InlineData("macro.csv", 203, "P3M", 4, 0, new[] { "realgdp", "realcons", "realinv", "unemp", "infl" })]
    public async Task The_samples_time_column_gives_the_spacing_and_the_season(string file, int rows, string spacing, int season, int irregular, string[] columns)
    {
        var dataset = await SeriesEvaluationTests.UploadCsvAsync(_client, "sample", SeriesEvaluationTests.Sample(file));
        Assert.Equal(("date", rows, spacing, season, irregular, 0), (dataset.TimeColumn, dataset.Rows, dataset.TimeSpacing, dataset.SeasonLength, dataset.IrregularSteps, dataset.MissingCells));
        Assert.Equal(columns, dataset.Columns!);
        Assert.Equal(columns.Length, dataset.InputSize);
    }

    [Theory]
    [InlineData("t,v\n2024-01-01T00:00:00Z,1\n2024-01-01T00:15:00Z,2\n2024-01-01T00:30:00Z,3\n", "PT15M", 96)]
    [InlineData("t,v\n2024-01-01T01:00:00+01:00,1\n2024-01-01T02:00:00+01:00,2\n2024-01-01T03:00:00+01:00,3\n", "PT1H", 24)]
    [InlineData("day,v\n20240101,1\n20240108,2\n20240115,3\n", "P7D", 52)]
    [InlineData("month,v\n2024-01,1\n2024-02,2\n2024-04,3\n", "P1M", 12)]
    [InlineData("when,v\n2023-01-31,1\n2023-02-28,2\n2023-03-31,3\n", "P1M", 12)]
    [InlineData("year,v\n2001-01-01,1\n2002-01-01,2\n2003-01-01,3\n", "P1Y", 1)]
    public async Task Common_date_forms_are_a_time_column(string csv, string spacing, int season)
    {
        var dataset = await SeriesEvaluationTests.UploadCsvAsync(_client, "times", csv);
        Assert.Equal((spacing, season, 1, 3), (dataset.TimeSpacing, dataset.SeasonLength, dataset.InputSize, dataset.Rows));
        Assert.Equal(["v"], dataset.Columns!);
    }

    [Fact]
    public async Task Empty_cells_are_missing_values_and_trailing_blank_lines_are_ignored()
    {
        var dataset = await SeriesEvaluationTests.UploadCsvAsync(_client, "gaps", "a,b\n1,\n,\n3,4\n5,6\n\n\n");
        Assert.Equal((4, 3, 2), (dataset.Rows, dataset.MissingCells, dataset.InputSize));
        Assert.Null(dataset.TimeColumn);
        // In a one-column series a blank line between values is an empty cell.
        dataset = await SeriesEvaluationTests.UploadCsvAsync(_client, "gaps", "value\n1\n\n3\n\n");
        Assert.Equal((3, 1), (dataset.Rows, dataset.MissingCells));
        // Eight digits are a number unless the column's name says time.
        dataset = await SeriesEvaluationTests.UploadCsvAsync(_client, "ids", "code,v\n20240101,1\n20240108,2\n");
        Assert.Null(dataset.TimeColumn);
        Assert.Equal(["code", "v"], dataset.Columns!);
    }

    [Theory]
    [InlineData("1.5,2\n3,4\n5,6\n", "body", "The first row must name the columns; it holds values ('1.5', …). Add a header row.")]
    [InlineData("a,b\n1,2,3\n4,5,6\n", "body", "The header names 2 columns, but line 2 has 3 cells. Every row needs one cell per column.")]
    [InlineData("a,b\n1,2\n\n3,4\n", "body", "Line 3 is blank; every row needs one cell per column (blank lines are ignored only at the end).")]
    [InlineData("a,b\n1,\n2,\n", "column b", "The column has no values; remove it or fill it in.")]
    [InlineData("date,v\n2024-01-02,1\n2024-01-01,2\n", "line 3, column date", "2024-01-01 00:00:00 is not after the previous row's 2024-01-02 00:00:00; rows must be in time order, each time once.")]
    [InlineData("date,v\n2024-01-01,1\n,2\n", "line 3, column date", "The time is missing; every row of a series needs one.")]
    [InlineData("date,v\n2024-01-01,1\nyesterday,2\n", "line 3, column date", "'yesterday' is not a date or date-time (e.g. 2024-01-31 or 2024-01-31T13:00:00Z).")]
    [InlineData("start,end,v\n2024-01-01,2024-01-02,1\n2024-01-02,2024-01-03,2\n", "column end", "The column holds dates, as 'start' does; a series has one time column.")]
    [InlineData("date\n2024-01-01\n2024-01-02\n", "body", "The only column holds dates; a series needs at least one numeric column.")]
    public async Task A_csv_that_cannot_be_a_series_is_a_400_that_says_why(string csv, string field, string message)
    {
        var errors = await RefusedAsync(csv);
        Assert.Equal([message], errors[field]!.AsArray().Select(m => m!.GetValue<string>()));
    }

    [Fact]
    public async Task A_text_column_is_one_error_not_one_per_row()
    {
        // Five series one after another: the symbol column is text, and the dates start again at each new symbol.
        var errors = await RefusedAsync(SeriesEvaluationTests.Sample("stocks.csv"));
        Assert.Equal("The column holds text ('MSFT' on line 2), not numbers. A series holds numeric columns and at most one time column of dates; if the column names the series each row belongs to, upload with ?seriesColumn=symbol.",
            Assert.Single(errors["column symbol"]!.AsArray())!.GetValue<string>());
        Assert.DoesNotContain(errors, e => e.Key.EndsWith("column symbol") && e.Key != "column symbol");
        Assert.Equal(4, errors.Count(e => e.Key.EndsWith("column date")));
    }

    private async Task<JsonObject> RefusedAsync(string csv)
    {
        var response = await _client.Http.PostAsync("/api/datasets?name=bad", new StringContent(csv, System.Text.Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty((await _client.Http.GetFromJsonAsync<JsonNode>("/api/datasets"))!["items"]!.AsArray());
        return (await response.Content.ReadFromJsonAsync<JsonNode>())!["errors"]!.AsObject();
    }
}

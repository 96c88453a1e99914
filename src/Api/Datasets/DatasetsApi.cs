// /api/datasets: upload training data once and train on it by id. JSON sequences (as in a job's
// inline data) or a CSV time series with a header row (CsvSeries), cut into windows per job.
using System.Text.Json;
using LstmService.Api.Infrastructure;
using LstmService.Api.Jobs;
using LstmService.Api.Security;
using LstmService.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LstmService.Api.Datasets;

public static class DatasetsApi
{
    public static RouteGroupBuilder MapDatasets(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/datasets").WithTags("Datasets").RequireApiKey();
        group.MapPost("/", UploadDataset).Accepts<DatasetUpload>("application/json", "text/csv").RequireRateLimiting(RateLimiting.JobCreation).WithIdempotencyKey(); // the CSV body is the series itself
        // Generated clients send a body as the first type an operation takes, so CSV has its own.
        group.MapPost("/csv", UploadCsvDataset).Accepts<Stream>("text/csv").RequireRateLimiting(RateLimiting.JobCreation).WithIdempotencyKey();
        group.MapGet("/", ListDatasets);
        group.MapGet("/{id}", GetDataset).ProducesProblem(404);
        group.MapDelete("/{id}", DeleteDataset).ProducesProblem(404).ProducesProblem(409);
        return group;
    }

    /// <summary>
    /// JSON <c>{ name, sequences }</c>, or <c>text/csv</c>: a time series with a header row, one
    /// column per variable, named by the <c>name</c> query parameter; with <c>seriesColumn</c>,
    /// several series whose rows that column names by id. 201 with the dataset.
    /// </summary>
    internal static async Task<Results<Created<DatasetView>, ValidationProblem>> UploadDataset(
        HttpRequest request, string? name, string? seriesColumn, LstmDbContext db, IOptions<ServiceLimits> limits, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        bool csv = request.ContentType?.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) == true;
        if (!errors.Require(seriesColumn is null || csv, "seriesColumn", "Only a CSV upload has a series column.")) return TypedResults.ValidationProblem(errors.ToDictionary());
        var content = csv
            ? await ReadCsv(request, name, seriesColumn, limits.Value, errors, cancellationToken)
            : await ReadJson(request, limits.Value, errors, cancellationToken);
        return content is null ? TypedResults.ValidationProblem(errors.ToDictionary()) : await Store(content, seriesColumn, db, clock, cancellationToken);
    }

    /// <summary>
    /// A CSV file as the body (<c>text/csv</c>): a time series with a header row, one column per
    /// variable, named by the <c>name</c> query parameter; with <c>seriesColumn</c>, several series
    /// whose rows that column names by id. The same as a CSV upload to <c>POST /api/datasets</c>.
    /// </summary>
    internal static async Task<Results<Created<DatasetView>, ValidationProblem>> UploadCsvDataset(
        HttpRequest request, string? name, string? seriesColumn, LstmDbContext db, IOptions<ServiceLimits> limits, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var content = await ReadCsv(request, name, seriesColumn, limits.Value, errors, cancellationToken);
        return content is null ? TypedResults.ValidationProblem(errors.ToDictionary()) : await Store(content, seriesColumn, db, clock, cancellationToken);
    }

    private static async Task<Results<Created<DatasetView>, ValidationProblem>> Store(
        DatasetContent content, string? seriesColumn, LstmDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var dataset = new StoredDataset
        {
            Id = Ids.New(), Name = content.Name, Kind = content.Kind, CreatedAt = clock.GetUtcNow().UtcDateTime,
            SequenceCount = content.SequenceCount, InputSize = content.InputSize, ColumnsJson = content.ColumnsJson, Content = content.Encoded,
            Rows = content.Series?.Series.Sum(s => s.Length), SeriesColumn = content.Series?.Ids is null ? null : seriesColumn, MissingCells = content.Series?.MissingCells ?? 0, TimeColumn = content.Series?.TimeColumn,
            TimeSpacing = content.Series?.Spacing?.Spacing, IrregularSteps = content.Series?.Spacing?.IrregularSteps ?? 0, SeasonLength = content.Series?.Spacing?.SeasonLength,
        };
        db.Datasets.Add(dataset);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/datasets/{dataset.Id}", DatasetView.From(dataset));
    }

    /// <summary>A page of datasets, newest first, without their content.</summary>
    internal static async Task<Results<Ok<DatasetPage>, ValidationProblem>> ListDatasets(LstmDbContext db, int page = 1, int pageSize = Paging.DefaultPageSize, CancellationToken cancellationToken = default)
    {
        var errors = new ValidationErrors();
        if (!Paging.Check(page, pageSize, errors)) return TypedResults.ValidationProblem(errors.ToDictionary());
        int total = await db.Datasets.CountAsync(cancellationToken);
        var rows = await db.Datasets.AsNoTracking().OrderByDescending(d => d.CreatedAt).PageOf(page, pageSize).WithoutContent().ToListAsync(cancellationToken);
        return TypedResults.Ok(new DatasetPage([.. rows.Select(DatasetView.From)], page, pageSize, total));
    }

    /// <summary>A dataset's view: its kind, size, columns and, for a CSV series, its time column, spacing and season.</summary>
    internal static async Task<Results<Ok<DatasetView>, ProblemHttpResult>> GetDataset(string id, LstmDbContext db, CancellationToken cancellationToken)
    {
        var dataset = await db.Datasets.AsNoTracking().Where(d => d.Id == id).WithoutContent().SingleOrDefaultAsync(cancellationToken);
        return dataset is null ? Problems.NotFound("dataset", id) : TypedResults.Ok(DatasetView.From(dataset));
    }

    /// <summary>Deletes a dataset (409 while a queued or running job trains on it).</summary>
    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteDataset(string id, LstmDbContext db, CancellationToken cancellationToken)
    {
        // A running job reloads its dataset when it resumes after a restart, so it must stay.
        if (await db.Jobs.AnyAsync(j => j.DatasetId == id && (j.Status == JobStatus.Queued || j.Status == JobStatus.Running), cancellationToken))
            return Problems.Conflict("The dataset is in use.", $"A queued or running job trains on dataset {id}; cancel it or wait for it to end.");
        return await db.Datasets.Where(d => d.Id == id).ExecuteDeleteAsync(cancellationToken) == 0 ? Problems.NotFound("dataset", id) : TypedResults.NoContent();
    }

    // What an upload holds once read and checked, before it is a row.
    private sealed record DatasetContent(string Name, string Kind, int SequenceCount, int InputSize, string? ColumnsJson, byte[] Encoded, CsvSeries? Series = null);

    private static async Task<DatasetContent?> ReadJson(HttpRequest request, ServiceLimits limits, ValidationErrors errors, CancellationToken cancellationToken)
    {
        DatasetUpload? upload;
        try
        {
            upload = await request.ReadFromJsonAsync<DatasetUpload>(ApiJson.Options, cancellationToken);
        }
        catch (JsonException e)
        {
            errors.Add(string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "body" : e.Path.TrimStart('$', '.'), "Not valid JSON for a dataset (numbers must be finite).");
            return null;
        }
        catch (InvalidOperationException)
        {
            errors.Add("body", "Send the dataset as application/json ({ name, sequences }) or text/csv.");
            return null;
        }
        if (upload is null) { errors.Add("body", "The body is empty."); return null; }
        errors.Require(upload.Name is { Length: > 0 and <= 200 }, "name", "A name of 1 to 200 characters is required.");
        SequenceChecks.CheckShapes(upload.Sequences, "sequences", limits, errors);
        if (!errors.IsEmpty) return null;
        var sequences = upload.Sequences!;
        return new DatasetContent(upload.Name!, DatasetKinds.Sequences, sequences.Count, sequences[0].Inputs![0].Length, null, SequenceCodec.Encode(sequences));
    }

    private static async Task<DatasetContent?> ReadCsv(HttpRequest request, string? name, string? seriesColumn, ServiceLimits limits, ValidationErrors errors, CancellationToken cancellationToken)
    {
        if (!errors.Require(name is { Length: > 0 and <= 200 }, "name", "Name the series with the query parameter ?name= (1 to 200 characters).")) return null;
        // Sep reads synchronously; the body is bounded by the request size limit, so buffer it first.
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        buffer.Position = 0;
        var series = CsvSeries.Read(buffer, limits, errors, seriesColumn);
        if (series is null) return null;
        // Each series one sequence, labelled with its id when it has one.
        return new DatasetContent(name!, DatasetKinds.Series, series.Series.Count, series.Columns.Length, JsonSerializer.Serialize(series.Columns, ApiJson.Options),
            SequenceCodec.Encode([.. series.Series.Select((rows, s) => new SequenceData { Inputs = rows, Label = series.Ids?[s] })]), series);
    }

}
/// <summary>A JSON dataset upload: sequences as in a job's inline data.</summary>
public sealed record DatasetUpload(string? Name, List<SequenceData>? Sequences);

/// <summary>
/// A stored dataset: what it holds and how big it is. For a series: its numeric <c>columns</c>,
/// <c>rows</c> (time steps), <c>missingCells</c> (empty cells), and with a time column its name,
/// <c>timeSpacing</c> (ISO 8601 duration of the most common step), <c>irregularSteps</c> (steps
/// of another length: gaps, uneven rows) and the <c>seasonLength</c> that spacing implies.
/// </summary>
public sealed record DatasetView(
    string Id, string Name, string Kind, int SequenceCount, int InputSize, IReadOnlyList<string>? Columns, int? Rows, int MissingCells,
    string? TimeColumn, string? TimeSpacing, int IrregularSteps, int? SeasonLength, DateTime CreatedAt, string? SeriesColumn = null)
{
    public static DatasetView From(StoredDataset d) => new(
        d.Id, d.Name, d.Kind, d.SequenceCount, d.InputSize, d.ColumnsJson is null ? null : JsonSerializer.Deserialize<string[]>(d.ColumnsJson, ApiJson.Options),
        d.Rows, d.MissingCells, d.TimeColumn, d.TimeSpacing, d.IrregularSteps, d.SeasonLength, DateTime.SpecifyKind(d.CreatedAt, DateTimeKind.Utc), d.SeriesColumn);
}

/// <summary>One page of <c>GET /api/datasets</c>, newest first.</summary>
public sealed record DatasetPage(IReadOnlyList<DatasetView> Items, int Page, int PageSize, int Total);

internal static class DatasetQueries
{
    /// <summary>Every column but the content, which may be megabytes.</summary>
    public static IQueryable<StoredDataset> WithoutContent(this IQueryable<StoredDataset> datasets) => datasets.Select(d => new StoredDataset
    {
        Id = d.Id, Name = d.Name, Kind = d.Kind, CreatedAt = d.CreatedAt, SequenceCount = d.SequenceCount, InputSize = d.InputSize, ColumnsJson = d.ColumnsJson,
        Rows = d.Rows, MissingCells = d.MissingCells, TimeColumn = d.TimeColumn, TimeSpacing = d.TimeSpacing, IrregularSteps = d.IrregularSteps,
        SeasonLength = d.SeasonLength, SeriesColumn = d.SeriesColumn, Content = Array.Empty<byte>(),
    });
}

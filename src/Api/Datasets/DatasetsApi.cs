// /api/datasets: upload training data once and train on it by id. JSON sequences (as in a job's
// inline data) or a CSV time series with a header row, cut into windows per job.
using System.Globalization;
using System.Text.Json;
using LstmService.Api.Infrastructure;
using LstmService.Api.Jobs;
using LstmService.Api.Security;
using LstmService.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using nietras.SeparatedValues;

namespace LstmService.Api.Datasets;

public static class DatasetsApi
{
    public static RouteGroupBuilder MapDatasets(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/datasets").WithTags("Datasets").RequireApiKey();
        group.MapPost("/", UploadDataset).Accepts<DatasetUpload>("application/json", "text/csv").RequireRateLimiting(RateLimiting.JobCreation); // the CSV body is the series itself
        group.MapGet("/", ListDatasets);
        group.MapGet("/{id}", GetDataset).ProducesProblem(404);
        group.MapDelete("/{id}", DeleteDataset).ProducesProblem(404).ProducesProblem(409);
        return group;
    }

    /// <summary>
    /// JSON <c>{ name, sequences }</c>, or <c>text/csv</c>: a time series with a header row, one
    /// column per variable, named by the <c>name</c> query parameter. 201 with the dataset.
    /// </summary>
    internal static async Task<Results<Created<DatasetView>, ValidationProblem>> UploadDataset(
        HttpRequest request, string? name, LstmDbContext db, IOptions<ServiceLimits> limits, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var content = request.ContentType?.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) == true
            ? await ReadCsv(request, name, limits.Value, errors, cancellationToken)
            : await ReadJson(request, limits.Value, errors, cancellationToken);
        if (content is null) return TypedResults.ValidationProblem(errors.ToDictionary());
        var dataset = new StoredDataset
        {
            Id = Ids.New(), Name = content.Name, Kind = content.Kind, CreatedAt = clock.GetUtcNow().UtcDateTime,
            SequenceCount = content.SequenceCount, InputSize = content.InputSize, ColumnsJson = content.ColumnsJson, Content = content.Encoded,
        };
        db.Datasets.Add(dataset);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/datasets/{dataset.Id}", DatasetView.From(dataset));
    }

    internal static async Task<Ok<List<DatasetView>>> ListDatasets(LstmDbContext db, CancellationToken cancellationToken)
    {
        var rows = await db.Datasets.AsNoTracking().OrderByDescending(d => d.CreatedAt)
            .Select(d => new DatasetView(d.Id, d.Name, d.Kind, d.SequenceCount, d.InputSize, d.ColumnsJson, d.CreatedAt)).ToListAsync(cancellationToken);
        return TypedResults.Ok(rows.Select(DatasetView.Normalized).ToList());
    }

    internal static async Task<Results<Ok<DatasetView>, ProblemHttpResult>> GetDataset(string id, LstmDbContext db, CancellationToken cancellationToken)
    {
        var view = await db.Datasets.AsNoTracking().Where(d => d.Id == id)
            .Select(d => new DatasetView(d.Id, d.Name, d.Kind, d.SequenceCount, d.InputSize, d.ColumnsJson, d.CreatedAt)).SingleOrDefaultAsync(cancellationToken);
        return view is null ? Problems.NotFound("dataset", id) : TypedResults.Ok(DatasetView.Normalized(view));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteDataset(string id, LstmDbContext db, CancellationToken cancellationToken)
    {
        // A running job reloads its dataset when it resumes after a restart, so it must stay.
        if (await db.Jobs.AnyAsync(j => j.DatasetId == id && (j.Status == JobStatus.Queued || j.Status == JobStatus.Running), cancellationToken))
            return Problems.Conflict("The dataset is in use.", $"A queued or running job trains on dataset {id}; cancel it or wait for it to end.");
        return await db.Datasets.Where(d => d.Id == id).ExecuteDeleteAsync(cancellationToken) == 0 ? Problems.NotFound("dataset", id) : TypedResults.NoContent();
    }

    // What an upload holds once read and checked, before it is a row.
    private sealed record DatasetContent(string Name, string Kind, int SequenceCount, int InputSize, string? ColumnsJson, byte[] Encoded);

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

    private static async Task<DatasetContent?> ReadCsv(HttpRequest request, string? name, ServiceLimits limits, ValidationErrors errors, CancellationToken cancellationToken)
    {
        if (!errors.Require(name is { Length: > 0 and <= 200 }, "name", "Name the series with the query parameter ?name= (1 to 200 characters).")) return null;
        // Sep reads synchronously; the body is bounded by the request size limit, so buffer it first.
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        buffer.Position = 0;
        var rows = new List<double[]>();
        string[] columns;
        try
        {
            using var reader = Sep.Reader(o => o with { Unescape = true, Trim = SepTrim.All }).From(buffer);
            columns = [.. reader.Header.ColNames];
            if (!errors.Require(columns.Length is > 0 and <= 1024 && columns.All(c => c.Length > 0), "body", "The first row must name each column (1 to 1024 columns).")) return null;
            foreach (var row in reader)
            {
                int line = row.LineNumberFrom;
                if (!errors.Require(rows.Count < limits.MaxSeriesRows, "body", $"At most {limits.MaxSeriesRows} rows are allowed.")) return null;
                var values = new double[columns.Length];
                for (int c = 0; c < columns.Length; c++)
                {
                    var cell = row[c].Span;
                    if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out values[c]) || !double.IsFinite(values[c]))
                    {
                        errors.Add($"line {line}, column {columns[c]}", cell.IsEmpty ? "The cell is empty; every cell must hold a number." : $"'{Shorten(cell.ToString())}' is not a finite number.");
                        if (errors.IsFull) return null;
                    }
                }
                rows.Add(values);
            }
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException)
        {
            errors.Add("body", $"The CSV is malformed: {e.Message}"); // e.g. rows of other widths, a column named twice
            return null;
        }
        if (!errors.IsEmpty) return null;
        if (!errors.Require(rows.Count >= 2, "body", "A series needs at least two rows after the header.")) return null;
        return new DatasetContent(name!, DatasetKinds.Series, 1, columns.Length, JsonSerializer.Serialize(columns, ApiJson.Options),
            SequenceCodec.Encode([new SequenceData { Inputs = [.. rows] }]));
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

}

/// <summary>A JSON dataset upload: sequences as in a job's inline data.</summary>
public sealed record DatasetUpload(string? Name, List<SequenceData>? Sequences);

/// <summary>A stored dataset: what it holds and how big it is; for a series, its column names.</summary>
public sealed record DatasetView(string Id, string Name, string Kind, int SequenceCount, int InputSize, IReadOnlyList<string>? Columns, DateTime CreatedAt)
{
    internal DatasetView(string id, string name, string kind, int sequenceCount, int inputSize, string? columnsJson, DateTime createdAt)
        : this(id, name, kind, sequenceCount, inputSize, columnsJson is null ? null : JsonSerializer.Deserialize<string[]>(columnsJson, ApiJson.Options), createdAt) { }

    public static DatasetView From(StoredDataset d) => Normalized(new DatasetView(d.Id, d.Name, d.Kind, d.SequenceCount, d.InputSize, d.ColumnsJson, d.CreatedAt));

    internal static DatasetView Normalized(DatasetView view) => view with { CreatedAt = DateTime.SpecifyKind(view.CreatedAt, DateTimeKind.Utc) };
}

// /api/jobs: queue a training job, watch it (status, losses as JSON and SVG, live events),
// cancel it. The database is the queue; posting rings the worker through the TrainingQueue.
using System.Text.Json;
using LstmService.Api.Datasets;
using LstmService.Api.Infrastructure;
using LstmService.Api.Security;
using LstmService.Api.Training;
using LstmService.Engine.Files;
using LstmService.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LstmService.Api.Jobs;

public static class JobsApi
{
    public static RouteGroupBuilder MapJobs(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/jobs").WithTags("Jobs").RequireApiKey();
        group.MapPost("/", CreateJob).RequireRateLimiting(RateLimiting.JobCreation).WithIdempotencyKey();
        group.MapGet("/", ListJobs);
        group.MapGet("/{id}", GetJob).ProducesProblem(404);
        group.MapGet("/{id}/losses", GetLosses).ProducesProblem(404);
        group.MapGet("/{id}/losses.svg", GetLossChart).Produces<string>(200, "image/svg+xml").ProducesProblem(404);
        group.MapGet("/{id}/events", StreamEvents).Produces<string>(200, "text/event-stream").ProducesProblem(404);
        group.MapPost("/{id}/cancel", CancelJob).ProducesProblem(404).ProducesProblem(409);
        group.MapDelete("/{id}", DeleteJob).ProducesProblem(404).ProducesProblem(409);
        return group;
    }

    /// <summary>Queues a training job; 202 with its URL. Every field is checked first: nothing is stored for a bad request.</summary>
    internal static async Task<Results<Accepted<JobView>, ValidationProblem>> CreateJob(
        JobRequest request, LstmDbContext db, TrainingQueue queue, IOptions<ServiceLimits> limits, TimeProvider clock, CancellationToken cancellationToken)
    {
        request = request.WithDefaults();
        var errors = JobValidator.Validate(request, limits.Value);
        if (!errors.IsEmpty) return TypedResults.ValidationProblem(errors.ToDictionary());

        List<SequenceData> sequences;
        SeriesSource? series = null;
        if (request.Data is { } data)
        {
            sequences = data.Sequences!;
        }
        else
        {
            var dataset = await db.Datasets.AsNoTracking().SingleOrDefaultAsync(d => d.Id == request.DatasetId, cancellationToken);
            if (dataset is null) return Problems.Invalid("datasetId", $"There is no dataset {request.DatasetId}.");
            sequences = SequenceCodec.Decode(dataset.Content);
            series = SeriesSource.From(dataset, sequences);
        }

        // Check what the worker will build, so that data and request that do not fit fail now, as a 400.
        Engine.ModelSpec spec;
        TrainingRequest settings;
        try
        {
            (spec, settings) = TrainingData.Check(request, sequences, series, limits.Value);
        }
        catch (ArgumentException e)
        {
            return Problems.Invalid(RequestField(e.ParamName), e);
        }
        if (request.InitialModelId is { } initialId)
        {
            var specJson = await db.Models.Where(m => m.Id == initialId).Select(m => m.SpecJson).SingleOrDefaultAsync(cancellationToken);
            if (specJson is null) return Problems.Invalid("initialModelId", $"There is no model {initialId}.");
            var initialSpec = JsonSerializer.Deserialize<Engine.ModelSpec>(specJson, ApiJson.Options)!;
            if (initialSpec with { Dropout = 0 } != spec with { Dropout = 0 })
                return Problems.Invalid("initialModelId", $"Model {initialId} has another architecture ({specJson}) than this job ({JsonSerializer.Serialize(spec, ApiJson.Options)}).");
        }

        var job = new TrainingJob
        {
            Id = Ids.New(),
            Name = request.Name ?? $"job {clock.GetUtcNow():yyyy-MM-dd HH:mm:ss}",
            CreatedAt = clock.GetUtcNow().UtcDateTime,
            RequestJson = JsonSerializer.Serialize(request with { Data = null }, ApiJson.Options),
            InlineData = request.Data is null ? null : SequenceCodec.Encode(sequences),
            DatasetId = request.DatasetId,
            InitialModelId = request.InitialModelId,
            Epochs = settings.Epochs!.Value,
        };
        db.Jobs.Add(job);
        await db.SaveChangesAsync(cancellationToken);
        queue.Signal();
        return TypedResults.Accepted($"/api/jobs/{job.Id}", JobView.From(job, 0));
    }

    /// <summary>A page of jobs, newest first, optionally only those with one status.</summary>
    internal static async Task<Results<Ok<JobPage>, ValidationProblem>> ListJobs(LstmDbContext db, string? status, int page = 1, int pageSize = Paging.DefaultPageSize, CancellationToken cancellationToken = default)
    {
        var errors = new ValidationErrors();
        Paging.Check(page, pageSize, errors);
        // The names the API writes (queued, running, ...), in any case; not numbers, which Enum.TryParse would take.
        var statusName = status is null ? null : Enum.GetNames<JobStatus>().FirstOrDefault(n => n.Equals(status, StringComparison.OrdinalIgnoreCase));
        errors.Require(status is null || statusName is not null, "status", $"Must be one of {string.Join(", ", Enum.GetNames<JobStatus>().Select(n => n.ToLowerInvariant()))}.");
        if (!errors.IsEmpty) return TypedResults.ValidationProblem(errors.ToDictionary());
        JobStatus? filter = statusName is null ? null : Enum.Parse<JobStatus>(statusName);
        var query = db.Jobs.Where(j => filter == null || j.Status == filter);
        int total = await query.CountAsync(cancellationToken);
        var jobs = await query.OrderByDescending(j => j.CreatedAt).PageOf(page, pageSize).ToViews(db).ToListAsync(cancellationToken);
        return TypedResults.Ok(new JobPage(jobs, page, pageSize, total));
    }

    /// <summary>A job: its status, progress and ETA, latest losses, and once it succeeded its model and evaluation.</summary>
    internal static async Task<Results<Ok<JobView>, ProblemHttpResult>> GetJob(string id, LstmDbContext db, CancellationToken cancellationToken)
    {
        var job = await db.Jobs.Where(j => j.Id == id).ToViews(db).SingleOrDefaultAsync(cancellationToken);
        return job is null ? Problems.NotFound("job", id) : TypedResults.Ok(job);
    }

    /// <summary>The loss history, one row per finished epoch, in order.</summary>
    internal static async Task<Results<Ok<List<EpochLoss>>, ProblemHttpResult>> GetLosses(string id, LstmDbContext db, CancellationToken cancellationToken)
    {
        if (!await db.Jobs.AnyAsync(j => j.Id == id, cancellationToken)) return Problems.NotFound("job", id);
        return TypedResults.Ok(await Losses(db, id, 0, cancellationToken));
    }

    /// <summary>The loss history drawn as an SVG chart (train and validation; log scale when the losses span decades).</summary>
    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> GetLossChart(string id, LstmDbContext db, CancellationToken cancellationToken)
    {
        var job = await db.Jobs.AsNoTracking().Where(j => j.Id == id).Select(j => new { j.Name }).SingleOrDefaultAsync(cancellationToken);
        if (job is null) return Problems.NotFound("job", id);
        var losses = await Losses(db, id, 0, cancellationToken);
        return TypedResults.Text(LossChart.Render(job.Name, losses), "image/svg+xml");
    }

    /// <summary>Server-sent events: one "epoch" event per finished epoch (those already done first), then "end" with the final job view.</summary>
    internal static async Task<Results<EmptyHttpResult, ProblemHttpResult>> StreamEvents(string id, IDbContextFactory<LstmDbContext> databases, IHostApplicationLifetime lifetime, HttpContext http)
    {
        // Ends when the client goes or the service stops, so an open stream never holds up a shutdown.
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var cancellationToken = ending.Token;
        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
            if (!await db.Jobs.AnyAsync(j => j.Id == id, cancellationToken)) return Problems.NotFound("job", id);

        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no"; // nginx passes each event on as it comes
        int sent = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await using var db = await databases.CreateDbContextAsync(cancellationToken);
                var job = await db.Jobs.Where(j => j.Id == id).ToViews(db).SingleAsync(cancellationToken);
                foreach (var epoch in await Losses(db, id, sent, cancellationToken))
                {
                    await WriteEvent(http, "epoch", epoch, cancellationToken);
                    sent = epoch.Epoch;
                }
                if (job.Status is JobStatus.Succeeded or JobStatus.Failed or JobStatus.Cancelled)
                {
                    await WriteEvent(http, "end", job, cancellationToken);
                    break;
                }
                // The worker writes each epoch to the database; reading it back every 250 ms keeps this
                // stream right across restarts and with several service instances.
                await Task.Delay(250, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // the client left or the service is stopping: the stream just ends
        }
        return TypedResults.Empty;
    }

    /// <summary>Cancels a queued or running job; a running one ends within one batch, its loss history kept.</summary>
    internal static async Task<Results<Accepted<JobView>, ProblemHttpResult>> CancelJob(
        string id, LstmDbContext db, TrainingQueue queue, TimeProvider clock, CancellationToken cancellationToken)
    {
        var job = await db.Jobs.Where(j => j.Id == id).ToViews(db).SingleOrDefaultAsync(cancellationToken);
        if (job is null) return Problems.NotFound("job", id);
        if (job.Status is JobStatus.Succeeded or JobStatus.Failed or JobStatus.Cancelled)
            return Problems.Conflict("The job has already ended.", $"Job {id} is {job.Status.ToString().ToLowerInvariant()}.");

        var now = clock.GetUtcNow().UtcDateTime;
        // A queued job is cancelled here, if the worker has not claimed it meanwhile.
        int cancelledQueued = await db.Jobs.Where(j => j.Id == id && j.Status == JobStatus.Queued).ExecuteUpdateAsync(j => j
            .SetProperty(x => x.Status, JobStatus.Cancelled).SetProperty(x => x.CancelRequested, true).SetProperty(x => x.FinishedAt, now), cancellationToken);
        if (cancelledQueued == 0)
        {
            await db.Jobs.Where(j => j.Id == id).ExecuteUpdateAsync(j => j.SetProperty(x => x.CancelRequested, true), cancellationToken);
            queue.Cancel(id);
        }
        return TypedResults.Accepted($"/api/jobs/{id}", await db.Jobs.Where(j => j.Id == id).ToViews(db).SingleAsync(cancellationToken));
    }

    /// <summary>Deletes an ended job with its loss history; the model it made stays. A queued or running job is a 409: cancel it first.</summary>
    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteJob(string id, LstmDbContext db, CancellationToken cancellationToken)
    {
        // One statement, conditioned on the status, so a job the worker claims meanwhile is never deleted under it.
        if (await db.Jobs.Where(j => j.Id == id && (j.Status == JobStatus.Succeeded || j.Status == JobStatus.Failed || j.Status == JobStatus.Cancelled))
            .ExecuteDeleteAsync(cancellationToken) > 0)
            return TypedResults.NoContent();
        return await db.Jobs.AnyAsync(j => j.Id == id, cancellationToken)
            ? Problems.Conflict("The job has not ended.", $"Job {id} is queued or running; cancel it (POST /api/jobs/{id}/cancel), then delete it.")
            : Problems.NotFound("job", id);
    }

    private static Task<List<EpochLoss>> Losses(LstmDbContext db, string id, int after, CancellationToken cancellationToken) =>
        db.EpochMetrics.AsNoTracking().Where(m => m.JobId == id && m.Epoch > after).OrderBy(m => m.Epoch)
            .Select(m => new EpochLoss(m.Epoch, m.TrainLoss, m.ValidationLoss, m.LearningRate, m.Seconds)).ToListAsync(cancellationToken);
    private static async Task WriteEvent<T>(HttpContext http, string name, T payload, CancellationToken cancellationToken)
    {
        await http.Response.WriteAsync($"event: {name}\ndata: {JsonSerializer.Serialize(payload, ApiJson.Options)}\n\n", cancellationToken);
        await http.Response.Body.FlushAsync(cancellationToken);
    }

    // The engine names its own fields (OutputSize, sequences); a client knows the request's.
    private static string RequestField(string? engineName) => engineName switch
    {
        "InputSize" or "sequences" => "data",
        "HiddenSize" => "model.hiddenSize",
        "Layers" => "model.layers",
        "Dropout" => "model.dropout",
        "OutputSize" => "model.output.size",
        "window" or "horizon" or "series" => "training.window",
        "testFraction" => "training.testFraction",
        "validationFraction" => "training.validationFraction",
        null or "" => "data",
        _ => engineName,
    };
}

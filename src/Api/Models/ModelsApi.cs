// /api/models: list and read models, predict and forecast with them, export and import their
// weights as safetensors (PyTorch state dicts included), delete them.
using System.Text.Json;
using LstmService.Api.Infrastructure;
using LstmService.Api.Jobs;
using LstmService.Api.Security;
using LstmService.Engine;
using LstmService.Engine.Files;
using LstmService.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LstmService.Api.Models;

public static class ModelsApi
{
    public static RouteGroupBuilder MapModels(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/models").WithTags("Models").RequireApiKey();
        group.MapGet("/", ListModels);
        group.MapGet("/{id}", GetModel).ProducesProblem(404);
        group.MapPost("/{id}/predict", Predict).ProducesProblem(404).AllowPredictKey().RequireRateLimiting(RateLimiting.Predict);
        group.MapPost("/{id}/forecast", Forecast).ProducesProblem(404).AllowPredictKey().RequireRateLimiting(RateLimiting.Predict);
        group.MapGet("/{id}/weights", ExportWeights).ProducesProblem(404);
        group.MapPost("/import", ImportModel).DisableAntiforgery().RequireRateLimiting(RateLimiting.JobCreation); // an API for scripts: no browser forms, no cookies
        group.MapDelete("/{id}", DeleteModel).ProducesProblem(404).ProducesProblem(409);
        return group;
    }

    internal static async Task<Ok<List<ModelView>>> ListModels(LstmDbContext db, CancellationToken cancellationToken)
    {
        // Everything but the weights blob.
        var models = await db.Models.AsNoTracking().OrderByDescending(m => m.CreatedAt)
            .Select(m => new StoredModel
            {
                Id = m.Id, Name = m.Name, JobId = m.JobId, CreatedAt = m.CreatedAt, SpecJson = m.SpecJson, Precision = m.Precision,
                HasNormalizer = m.HasNormalizer, ParameterCount = m.ParameterCount, MetricsJson = m.MetricsJson, LabelsJson = m.LabelsJson, File = Array.Empty<byte>(),
            }).ToListAsync(cancellationToken);
        return TypedResults.Ok(models.Select(ModelView.From).ToList());
    }

    internal static async Task<Results<Ok<ModelView>, ProblemHttpResult>> GetModel(string id, LstmDbContext db, CancellationToken cancellationToken)
    {
        var model = await db.Models.AsNoTracking().SingleOrDefaultAsync(m => m.Id == id, cancellationToken);
        return model is null ? Problems.NotFound("model", id) : TypedResults.Ok(ModelView.From(model));
    }

    /// <summary>Runs a batch of sequences; outputs are in the caller's units (the stored normalizer is applied in and out).</summary>
    internal static async Task<Results<Ok<PredictResponse>, ProblemHttpResult, ValidationProblem>> Predict(
        string id, PredictRequest request, LstmDbContext db, ModelCache cache, IOptions<ServiceLimits> limits, CancellationToken cancellationToken)
    {
        var model = await cache.GetAsync(id, db, cancellationToken);
        if (model is null) return Problems.NotFound("model", id);
        var errors = new ValidationErrors();
        var sequences = request.Sequences?.Select(inputs => new SequenceData { Inputs = inputs }).ToList();
        SequenceChecks.CheckShapes(sequences, "sequences", limits.Value, errors);
        if (errors.IsEmpty)
        {
            errors.Require(request.Sequences![0][0].Length == model.Spec.InputSize, "sequences[0][0]", $"The model takes {model.Spec.InputSize} inputs per step; got {request.Sequences[0][0].Length}.");
            long values = model.Spec.Steps == OutputSteps.All ? request.Sequences.Sum(s => (long)s.Length) * model.Spec.OutputSize : (long)request.Sequences.Count * model.Spec.OutputSize;
            errors.Require(values <= limits.Value.MaxPredictedValues, "sequences", $"The answer would hold {values:N0} numbers; at most {limits.Value.MaxPredictedValues:N0} per call. Send fewer or shorter sequences.");
        }
        if (!errors.IsEmpty) return TypedResults.ValidationProblem(RenameInputs(errors.ToDictionary()));

        double[][][] outputs;
        try
        {
            outputs = model.Predict(request.Sequences!);
        }
        catch (ArgumentException e)
        {
            return Problems.Invalid("sequences", e.Message); // e.g. a value beyond float32 once normalized
        }
        if (model.Spec.Loss == LossKind.CrossEntropy)
        {
            var probabilities = outputs.Select(o => o[^1]).ToList();
            var labels = probabilities.Select(p => model.Labels is { } names ? names[Array.IndexOf(p, p.Max())] : Array.IndexOf(p, p.Max()).ToString()).ToList();
            return TypedResults.Ok(new PredictResponse(probabilities, labels));
        }
        return TypedResults.Ok(new PredictResponse(model.Spec.Steps == OutputSteps.All ? outputs : outputs.Select(o => o[^1]).ToList<object>(), null));
    }

    /// <summary>Runs the history, then feeds each output back as the next input for <c>horizon</c> steps (models whose output is their input series).</summary>
    internal static async Task<Results<Ok<ForecastResponse>, ProblemHttpResult, ValidationProblem>> Forecast(
        string id, ForecastRequest request, LstmDbContext db, ModelCache cache, IOptions<ServiceLimits> limits, CancellationToken cancellationToken)
    {
        var model = await cache.GetAsync(id, db, cancellationToken);
        if (model is null) return Problems.NotFound("model", id);
        var errors = new ValidationErrors();
        SequenceChecks.CheckShapes(request.History is null ? null : [new SequenceData { Inputs = request.History }], "history", limits.Value, errors);
        errors.Require(request.Horizon >= 1 && request.Horizon <= limits.Value.MaxForecastHorizon, "horizon", $"Must be between 1 and {limits.Value.MaxForecastHorizon}.");
        errors.Require(model.Spec.Loss == LossKind.MeanSquaredError && model.Spec.OutputSize == model.Spec.InputSize, "id",
            $"Forecasting feeds outputs back as inputs; this model has {model.Spec.InputSize} inputs and {model.Spec.OutputSize} outputs.");
        if (errors.IsEmpty)
            errors.Require(request.History![0].Length == model.Spec.InputSize, "history[0]", $"The model takes {model.Spec.InputSize} inputs per step.");
        if (!errors.IsEmpty) return TypedResults.ValidationProblem(RenameInputs(errors.ToDictionary()));
        try
        {
            return TypedResults.Ok(new ForecastResponse(model.Forecast(request.History!, request.Horizon)));
        }
        catch (ArgumentException e)
        {
            return Problems.Invalid("history", e.Message);
        }
    }

    /// <summary>The weights as a safetensors file (PyTorch names; spec and normalizer in its metadata).</summary>
    internal static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ExportWeights(string id, LstmDbContext db, CancellationToken cancellationToken)
    {
        var model = await db.Models.AsNoTracking().Where(m => m.Id == id).Select(m => new { m.Name, m.File }).SingleOrDefaultAsync(cancellationToken);
        if (model is null) return Problems.NotFound("model", id);
        return TypedResults.File(model.File, "application/octet-stream", $"{id}.safetensors");
    }

    /// <summary>
    /// Imports a safetensors file (multipart field <c>weights</c>) with a <c>spec</c> (JSON: at least
    /// <c>cell</c> and <c>output</c>; sizes are read from the tensor shapes) and an optional <c>name</c>.
    /// F64 tensors give a float64 model, others float32.
    /// </summary>
    internal static async Task<Results<Created<ModelView>, ValidationProblem>> ImportModel(
        IFormFile? weights, [FromForm] string? spec, [FromForm] string? name, LstmDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (weights is null || weights.Length == 0) return Problems.Invalid("weights", "Attach the safetensors file as the multipart field 'weights'.");
        ModelRequest? requested = null;
        if (!string.IsNullOrWhiteSpace(spec))
        {
            try { requested = JsonSerializer.Deserialize<ModelRequest>(spec, ApiJson.Options)?.WithDefaults(); }
            catch (JsonException e) { return Problems.Invalid("spec", $"The spec is not valid JSON for a model: {e.Message.Split(" Path:")[0]}"); }
        }
        if (name is { Length: > 200 }) return Problems.Invalid("name", "A name is at most 200 characters.");

        byte[] bytes;
        await using (var stream = weights.OpenReadStream())
        {
            bytes = new byte[weights.Length];
            await stream.ReadExactlyAsync(bytes, cancellationToken);
        }
        ModelFileContents contents;
        try
        {
            var template = requested is null ? null : new ModelSpec
            {
                InputSize = 1, HiddenSize = 1, Cell = requested.Cell, Dropout = requested.Dropout, Output = requested.Output.Kind,
                OutputSize = requested.Output.Size, Steps = requested.Output.Steps,
                Loss = requested.Loss == LossName.CrossEntropy ? LossKind.CrossEntropy : LossKind.MeanSquaredError,
            };
            contents = ModelFile.Read(bytes, template);
        }
        catch (InvalidDataException e)
        {
            return Problems.Invalid("weights", e.Message);
        }

        bool float64 = contents.Tensors.All(t => t.DType == "F64");
        var network = float64 ? null : contents.CreateNetwork<float>();
        var model = new StoredModel
        {
            Id = Ids.New(),
            Name = name ?? (weights.FileName.Length <= 200 ? weights.FileName : weights.FileName[..200]),
            CreatedAt = clock.GetUtcNow().UtcDateTime,
            SpecJson = JsonSerializer.Serialize(contents.Spec, ApiJson.Options),
            Precision = float64 ? "float64" : "float32",
            HasNormalizer = contents.Normalizer is not null,
            ParameterCount = contents.Tensors.Sum(t => t.Values.Length),
            // Stored in the service's own format: spec and normalizer in the metadata, weights in their precision.
            File = float64 ? ModelFile.ToBytes(contents.CreateNetwork<double>(), contents.Normalizer) : ModelFile.ToBytes(network!, contents.Normalizer),
        };
        db.Models.Add(model);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/models/{model.Id}", ModelView.From(model));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteModel(string id, LstmDbContext db, ModelCache cache, CancellationToken cancellationToken)
    {
        if (await db.Jobs.AnyAsync(j => j.InitialModelId == id && (j.Status == JobStatus.Queued || j.Status == JobStatus.Running), cancellationToken))
            return Problems.Conflict("The model is in use.", $"A queued or running job starts from model {id}; cancel it or wait for it to end.");
        int deleted = await db.Models.Where(m => m.Id == id).ExecuteDeleteAsync(cancellationToken);
        cache.Remove(id);
        return deleted == 0 ? Problems.NotFound("model", id) : TypedResults.NoContent();
    }

    // SequenceChecks names an input row "sequences[n].inputs[t]"; predict's sequences are the inputs themselves.
    private static Dictionary<string, string[]> RenameInputs(Dictionary<string, string[]> errors) =>
        errors.ToDictionary(e => e.Key.Replace("].inputs[", "][", StringComparison.Ordinal).Replace("].inputs", "]", StringComparison.Ordinal)
            .Replace("history[0][", "history[", StringComparison.Ordinal), e => e.Value);

}

// /api/models: list and read models, predict and forecast with them, export and import their
// weights as safetensors (PyTorch state dicts included), delete them.
using System.Text.Json;
using LstmService.Api.Datasets;
using LstmService.Api.Infrastructure;
using LstmService.Api.Jobs;
using LstmService.Api.Security;
using LstmService.Api.Training;
using LstmService.Engine;
using LstmService.Engine.Evaluation;
using LstmService.Engine.Inference;
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
        group.MapPost("/{id}/evaluate", Evaluate).ProducesProblem(404).AllowPredictKey().RequireRateLimiting(RateLimiting.Predict);
        group.MapGet("/{id}/weights", ExportWeights).Produces<Stream>(200, "application/octet-stream").ProducesProblem(404);
        group.MapPost("/import", ImportModel).Accepts<ImportForm>("multipart/form-data").ProducesProblem(415)
            .DisableAntiforgery().RequireRateLimiting(RateLimiting.JobCreation).WithIdempotencyKey(); // an API for scripts: no browser forms, no cookies
        group.MapDelete("/{id}", DeleteModel).ProducesProblem(404).ProducesProblem(409);
        return group;
    }

    /// <summary>A page of models, newest first, without their weights.</summary>
    internal static async Task<Results<Ok<ModelPage>, ValidationProblem>> ListModels(LstmDbContext db, int page = 1, int pageSize = Paging.DefaultPageSize, CancellationToken cancellationToken = default)
    {
        var errors = new ValidationErrors();
        if (!Paging.Check(page, pageSize, errors)) return TypedResults.ValidationProblem(errors.ToDictionary());
        int total = await db.Models.CountAsync(cancellationToken);
        // Everything but the weights blob.
        var models = await db.Models.AsNoTracking().OrderByDescending(m => m.CreatedAt).PageOf(page, pageSize)
            .Select(m => new StoredModel
            {
                Id = m.Id, Name = m.Name, JobId = m.JobId, CreatedAt = m.CreatedAt, SpecJson = m.SpecJson, Precision = m.Precision,
                HasNormalizer = m.HasNormalizer, ParameterCount = m.ParameterCount, MetricsJson = m.MetricsJson, LabelsJson = m.LabelsJson,
                TrainingJson = m.TrainingJson, DatasetId = m.DatasetId, ForecastingJson = m.ForecastingJson, EvaluationJson = m.EvaluationJson, File = Array.Empty<byte>(),
            }).ToListAsync(cancellationToken);
        return TypedResults.Ok(new ModelPage([.. models.Select(ModelView.From)], page, pageSize, total));
    }

    /// <summary>A model: its spec, training settings, metrics, forecasting view and evaluation.</summary>
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
        int series = SeriesOf(model, request.Series, errors);
        var sequences = request.Sequences?.Select(inputs => new SequenceData { Inputs = inputs }).ToList();
        SequenceChecks.CheckShapes(sequences, "sequences", limits.Value, errors);
        if (errors.IsEmpty)
        {
            errors.Require(request.Sequences![0][0].Length == model.Spec.InputSize, "sequences[0][0]", $"The model takes {model.Spec.InputSize} inputs per step; got {request.Sequences[0][0].Length}.");
            long values = model.Spec.Steps == OutputSteps.All ? request.Sequences.Sum(s => (long)s.Length) * model.Spec.OutputSize : (long)request.Sequences.Count * model.Spec.OutputSize;
            errors.Require(values <= limits.Value.MaxPredictedValues, "sequences", $"The answer would hold {values:N0} numbers; at most {limits.Value.MaxPredictedValues:N0} per call. Send fewer or shorter sequences.");
            CheckWork(request.Sequences.Sum(s => (long)s.Length), model.Spec, limits.Value, "sequences", errors);
        }
        if (!errors.IsEmpty) return TypedResults.ValidationProblem(RenameInputs(errors.ToDictionary()));

        double[][][] outputs;
        try
        {
            outputs = await model.PredictAsync(request.Sequences!, series);
        }
        catch (ArgumentException e)
        {
            return Problems.Invalid("sequences", e); // e.g. a value beyond float32 once normalized
        }
        if (model.Spec.Loss == LossKind.CrossEntropy)
        {
            var probabilities = outputs.Select(o => o[^1]).ToList();
            var labels = probabilities.Select(p => model.Labels is { } names ? names[Array.IndexOf(p, p.Max())] : Array.IndexOf(p, p.Max()).ToString()).ToList();
            return TypedResults.Ok(new PredictResponse(probabilities, labels));
        }
        if (model.Forecasting is { Horizon: > 1 } f) // each window's horizon·targets outputs as [horizon][targets]
            return TypedResults.Ok(new PredictResponse(outputs.Select(o => o[^1].Chunk(f.Targets.Count).ToArray()).ToList<object>(), null));
        return TypedResults.Ok(new PredictResponse(model.Spec.Steps == OutputSteps.All ? outputs : outputs.Select(o => o[^1]).ToList<object>(), null));
    }

    /// <summary>
    /// The next <c>horizon</c> rows after the history. A series model reads its last window and
    /// forecasts its targets (feeding them back beyond its horizon when it reads nothing else),
    /// with prediction intervals at <c>coverage</c>; another runs the whole history and feeds each
    /// output back as the next input (models whose output is their input series).
    /// </summary>
    internal static async Task<Results<Ok<ForecastResponse>, ProblemHttpResult, ValidationProblem>> Forecast(
        string id, ForecastRequest request, LstmDbContext db, ModelCache cache, IOptions<ServiceLimits> limits, CancellationToken cancellationToken)
    {
        var model = await cache.GetAsync(id, db, cancellationToken);
        if (model is null) return Problems.NotFound("model", id);
        var errors = new ValidationErrors();
        int series = SeriesOf(model, request.Series, errors);
        SequenceChecks.CheckShapes(request.History is null ? null : [new SequenceData { Inputs = request.History }], "history", limits.Value, errors);
        errors.Require(request.Horizon >= 1 && request.Horizon <= limits.Value.MaxForecastHorizon, "horizon", $"Must be between 1 and {limits.Value.MaxForecastHorizon}.");
        double coverage = request.Coverage ?? 0.8;
        errors.Require(coverage is >= ConformalIntervals.MinCoverage and <= ConformalIntervals.MaxCoverage, "coverage", "Must be between 0.5 and 0.99.");
        if (model.Forecasting is { } f)
        {
            bool feedsBack = WindowedForecast.CanFeedBack(f.TargetColumns(), f.Columns.Count);
            errors.Require(request.Horizon <= f.Horizon || feedsBack, "horizon",
                $"This model forecasts {f.Horizon} step{(f.Horizon == 1 ? "" : "s")} of {string.Join(", ", f.Targets)} from {string.Join(", ", f.Columns)}; more steps would need the future values of " +
                $"{string.Join(", ", f.Columns.Except(f.Targets))}, which it does not forecast. Ask for at most {f.Horizon}, or use /predict with windows that hold them.");
            if (errors.IsEmpty)
            {
                errors.Require(request.History!.Length >= f.Window, "history", $"The model reads the last {f.Window} rows; the history has {request.History.Length}. Send at least {f.Window} rows.");
                errors.Require(request.History[0].Length == f.Columns.Count, "history[0]", $"The model reads {f.Columns.Count} columns per row ({string.Join(", ", f.Columns)}); got {request.History[0].Length}.");
                CheckWork((request.Horizon + f.Horizon - 1) / f.Horizon * (long)f.Window, model.Spec, limits.Value, "horizon", errors);
            }
        }
        else
        {
            errors.Require(model.Spec.Loss == LossKind.MeanSquaredError && model.Spec.OutputSize == model.Spec.InputSize, "id",
                $"Forecasting feeds outputs back as inputs; this model has {model.Spec.InputSize} inputs and {model.Spec.OutputSize} outputs. Use /predict.");
            if (errors.IsEmpty)
            {
                errors.Require(request.History![0].Length == model.Spec.InputSize, "history[0]", $"The model takes {model.Spec.InputSize} inputs per step.");
                CheckWork(request.History.Length + (long)request.Horizon, model.Spec, limits.Value, "history", errors);
            }
        }
        // Intervals for the leading steps whose calibration can give this coverage; none at all is a 400 only when it was asked for.
        var intervals = model.Intervals;
        int intervalSteps = intervals is null || !errors.IsEmpty ? 0 : Enumerable.Range(1, Math.Min(request.Horizon, intervals.Steps))
            .TakeWhile(step => Enumerable.Range(0, model.Forecasting!.Targets.Count).All(k => intervals.Width(step, k, coverage) is not null)).Count();
        if (intervals is not null && errors.IsEmpty && intervalSteps == 0 && request.Coverage is not null)
            errors.Add("coverage", TooFewResiduals(intervals, model.Forecasting!.Targets, coverage));
        if (!errors.IsEmpty) return TypedResults.ValidationProblem(RenameInputs(errors.ToDictionary()));

        double[][] forecast;
        try
        {
            forecast = model.Forecast(request.History!, request.Horizon, series);
        }
        catch (ArgumentException e)
        {
            return Problems.Invalid("history", e);
        }
        if (intervals is null || intervalSteps == 0) return TypedResults.Ok(new ForecastResponse(forecast));
        // The interval of a step is its forecast ± the calibrated score quantile times how much the history moved lately.
        int[] columns = model.Forecasting!.TargetColumns();
        double[] scale = [.. columns.Select((c, k) => intervals.Scale(request.History!, request.History!.Length, c, k))];
        double[][] Band(int sign) => [.. forecast.Take(intervalSteps).Select((row, s) => row.Select((v, k) => v + sign * intervals.Width(s + 1, k, coverage)!.Value * scale[k]).ToArray())];
        return TypedResults.Ok(new ForecastResponse(forecast, Band(-1), Band(+1), coverage, intervalSteps));
    }

    /// <summary>
    /// Scores the model on a dataset (<c>datasetId</c>) or inline data the caller brings: a series
    /// model forecasts from every origin beside the naive and seasonal-naive baselines, a
    /// classifier labels every sequence. The answer is an <c>evaluation</c> with split "data".
    /// </summary>
    internal static async Task<Results<Ok<ModelEvaluation>, ProblemHttpResult, ValidationProblem>> Evaluate(
        string id, EvaluateRequest request, LstmDbContext db, ModelCache cache, IOptions<ServiceLimits> limits, CancellationToken cancellationToken)
    {
        var model = await cache.GetAsync(id, db, cancellationToken);
        if (model is null) return Problems.NotFound("model", id);
        if (model.Forecasting is null && model.Labels is null)
            return Problems.Invalid("id", "Evaluation scores series models (trained on a CSV series) and classifiers; this model is neither. Compare its predict outputs with your targets.");
        var errors = new ValidationErrors();
        bool hasData = request.Data is not null, hasDataset = !string.IsNullOrEmpty(request.DatasetId);
        if (!errors.Require(hasData != hasDataset, hasData ? "datasetId" : "data", "Give exactly one of data (inline) and datasetId."))
            return TypedResults.ValidationProblem(errors.ToDictionary());

        string field = hasData ? "data.sequences" : "datasetId";
        List<SequenceData>? sequences = request.Data?.Sequences;
        // A series model's series to score: (index among the model's series, rows), one inline, any number from a dataset.
        List<(int Series, double[][] Rows)> scored = [];
        if (hasDataset)
        {
            var dataset = await db.Datasets.AsNoTracking().SingleOrDefaultAsync(d => d.Id == request.DatasetId, cancellationToken);
            if (dataset is null) return Problems.Invalid("datasetId", $"There is no dataset {request.DatasetId}.");
            sequences = SequenceCodec.Decode(dataset.Content);
            if (model.Forecasting is { } f)
            {
                var series = SeriesSource.From(dataset, sequences);
                if (series is null) return Problems.Invalid("datasetId", "A series model is evaluated on a CSV series dataset; this dataset holds sequences.");
                var absent = f.Columns.Except(series.Columns).ToList();
                if (absent.Count > 0) return Problems.Invalid("datasetId", $"The dataset lacks {string.Join(", ", absent)}; the model reads {string.Join(", ", f.Columns)}.");
                if (request.Series is not null) return Problems.Invalid("series", "A dataset's series are named by its own ids; series names one only for inline data.");
                var indices = (series.Ids ?? [null!]).Select(i => f.SeriesIndex(i)).ToList();
                if (indices.Contains(-1))
                    return Problems.Invalid("datasetId", f.Series is null
                        ? "The model was trained on one series; this dataset holds several. Evaluate it on a dataset of one series, or on inline data."
                        : $"The model knows the series {string.Join(", ", f.Series.Select(x => x.Id))}; this dataset {(series.Ids is null ? "is one unnamed series" : "also holds " + string.Join(", ", series.Ids.Where(i => f.SeriesIndex(i) < 0)))}.");
                int[] picked = [.. f.Columns.Select(c => Array.IndexOf(series.Columns, c))];
                scored = [.. series.Series.Select((rows, s) => (indices[s], rows.Select(r => picked.Select(c => r[c]).ToArray()).ToArray()))];
            }
            else if (dataset.Kind == DatasetKinds.Series)
                return Problems.Invalid("datasetId", "A classifier is evaluated on labelled sequences; this dataset is a CSV series.");
            else if (dataset.InputSize != model.Spec.InputSize)
                return Problems.Invalid("datasetId", $"The model takes {model.Spec.InputSize} inputs per step; the dataset's sequences have {dataset.InputSize}.");
        }
        else
        {
            SequenceChecks.CheckShapes(sequences, field, limits.Value, errors);
            if (errors.IsEmpty && model.Forecasting is { } f)
            {
                errors.Require(sequences!.Count == 1, field, "Send one series: one sequence whose inputs are its rows.");
                errors.Require(sequences[0].Inputs![0].Length == f.Columns.Count, $"{field}[0].inputs[0]", $"The model reads {f.Columns.Count} columns per row ({string.Join(", ", f.Columns)}).");
                scored = [(SeriesOf(model, request.Series, errors), sequences[0].Inputs!)];
            }
            else if (errors.IsEmpty)
                errors.Require(sequences![0].Inputs![0].Length == model.Spec.InputSize, $"{field}[0].inputs[0]", $"The model takes {model.Spec.InputSize} inputs per step.");
            if (!errors.IsEmpty) return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        ModelEvaluation? evaluation;
        try
        {
            evaluation = model.Forecasting is { } forecasting
                ? DataEvaluation.Series(model, forecasting, scored, field, limits.Value, errors)
                : DataEvaluation.Classifier(model, model.Labels!, sequences!, field, limits.Value, errors);
        }
        catch (ArgumentException e)
        {
            return Problems.Invalid(field, e); // e.g. a value beyond float32 once normalized
        }
        return evaluation is null ? TypedResults.ValidationProblem(errors.ToDictionary()) : TypedResults.Ok(evaluation);
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
    internal static async Task<Results<Created<ModelView>, ValidationProblem, ProblemHttpResult>> ImportModel(
        HttpRequest http, LstmDbContext db, IOptions<ServiceLimits> limits, TimeProvider clock, CancellationToken cancellationToken)
    {
        // The form is read here, not bound: a broken multipart body then gets a 400 naming it, not an empty 400.
        if (!http.HasFormContentType)
            return TypedResults.Problem(title: "Send the model as multipart/form-data.", detail: "Fields: weights (the safetensors file), spec, name.", statusCode: StatusCodes.Status415UnsupportedMediaType);
        IFormCollection form;
        try
        {
            form = await http.ReadFormAsync(cancellationToken);
        }
        catch (Exception e) when (e is InvalidDataException or IOException && e is not BadHttpRequestException) // a 413 stays a 413
        {
            return Problems.Invalid("body", $"The multipart body cannot be read: {e.Message}");
        }
        var weights = form.Files.GetFile("weights");
        if (weights is null || weights.Length == 0) return Problems.Invalid("weights", "Attach the safetensors file as the multipart field 'weights'.");
        if (form.Files.Count > 1 || form["spec"].Count > 1 || form["name"].Count > 1) return Problems.Invalid("body", "Send one file (weights), at most one spec and one name.");
        string? spec = form["spec"], name = form["name"];
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
        long parameters = contents.Tensors.Sum(t => (long)t.Values.Length);
        if (parameters > limits.Value.MaxParameters)
            return Problems.Invalid("weights", $"The model has {parameters:N0} parameters; at most {limits.Value.MaxParameters:N0} are allowed (Limits:MaxParameters).");

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

    /// <summary>Deletes a model (409 while a queued or running job starts from it); it is gone from the prediction cache at once.</summary>
    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteModel(string id, LstmDbContext db, ModelCache cache, CancellationToken cancellationToken)
    {
        if (await db.Jobs.AnyAsync(j => j.InitialModelId == id && (j.Status == JobStatus.Queued || j.Status == JobStatus.Running), cancellationToken))
            return Problems.Conflict("The model is in use.", $"A queued or running job starts from model {id}; cancel it or wait for it to end.");
        int deleted = await db.Models.Where(m => m.Id == id).ExecuteDeleteAsync(cancellationToken);
        cache.Remove(id);
        return deleted == 0 ? Problems.NotFound("model", id) : TypedResults.NoContent();
    }

    // Conformal intervals at coverage c need n ≥ c·(n + 1) residuals, i.e. n ≥ c / (1 − c): say how many step 1 has.
    private static string TooFewResiduals(ConformalIntervals intervals, IReadOnlyList<string> targets, double coverage)
    {
        int k = Enumerable.Range(0, targets.Count).First(k => intervals.Width(1, k, coverage) is null);
        int n = intervals.Residuals[0][k];
        return $"The intervals for {targets[k]} were calibrated on {n} validation forecasts, too few for {coverage:0.##} coverage (at most {Math.Floor(100.0 * n / (n + 1)) / 100:0.##}). Ask for less, or train with a larger validationFraction.";
    }

    // A big model on a long input holds the model (and a core) for as long as it runs.
    // The index of the series a request names among a global model's (0 for any other model);
    // a missing, unknown or needless name is an error on field "series".
    private static int SeriesOf(LoadedModel model, string? series, ValidationErrors errors)
    {
        var known = model.Forecasting?.Series;
        if (known is null)
        {
            errors.Require(series is null, "series", "This model was not trained on several series; leave series out.");
            return 0;
        }
        int index = model.Forecasting!.SeriesIndex(series);
        errors.Require(index >= 0, "series", series is null
            ? $"This model forecasts several series; name the one the data are of: {string.Join(", ", known.Select(s => s.Id))}."
            : $"'{series}' is not a series of this model; its series are {string.Join(", ", known.Select(s => s.Id))}.");
        return Math.Max(index, 0);
    }

    private static void CheckWork(long steps, ModelSpec spec, ServiceLimits limits, string field, ValidationErrors errors)
    {
        double work = steps * JobWork.PerStep(spec);
        errors.Require(work <= limits.MaxWorkPerPrediction, field,
            $"{steps:N0} steps of this model take about {work:G3} multiply-adds; at most {limits.MaxWorkPerPrediction:G3} per call (Limits:MaxWorkPerPrediction). Send fewer or shorter sequences.");
    }

    // SequenceChecks names an input row "sequences[n].inputs[t]"; predict's sequences are the inputs themselves.
    private static Dictionary<string, string[]> RenameInputs(Dictionary<string, string[]> errors) =>
        errors.ToDictionary(e => e.Key.Replace("].inputs[", "][", StringComparison.Ordinal).Replace("].inputs", "]", StringComparison.Ordinal)
            .Replace("history[0][", "history[", StringComparison.Ordinal), e => e.Value);

}

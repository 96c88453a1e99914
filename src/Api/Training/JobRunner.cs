// Runs one claimed job to its end on the calling (dedicated) thread: loads its data, builds or
// resumes the network, trains with the engine, writes each epoch's losses as it finishes and a
// checkpoint every so often, and on success stores the model, all in the job's own database
// context.
using System.Diagnostics;
using System.Numerics;
using System.Text.Json;
using LstmService.Api.Datasets;
using LstmService.Api.Infrastructure;
using LstmService.Api.Jobs;
using LstmService.Api.Models;
using LstmService.Engine.Evaluation;
using LstmService.Engine.Files;
using LstmService.Engine.Layers;
using LstmService.Engine.Training;
using LstmService.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LstmService.Api.Training;

public sealed class JobRunner(IDbContextFactory<LstmDbContext> databases, IOptions<WorkerOptions> options, IOptions<ServiceLimits> limits, TimeProvider clock, ILogger<JobRunner> logger, TrainingCompute compute)
{
    /// <summary>
    /// Trains job <paramref name="jobId"/>; throws what the engine throws (divergence, cancellation, bad data).
    /// When <paramref name="stopping"/> is what cancelled it, the last finished epoch is checkpointed first.
    /// </summary>
    public void Run(string jobId, CancellationToken cancellationToken, CancellationToken stopping)
    {
        using var db = databases.CreateDbContext();
        var job = db.Jobs.Single(j => j.Id == jobId);
        // A cancel that came before this job's token was tracked left only this flag.
        if (job.CancelRequested) throw new OperationCanceledException("The job was cancelled before it started.");
        var request = JsonSerializer.Deserialize<JobRequest>(job.RequestJson, ApiJson.Options)!;
        var (sequences, series) = LoadData(db, job);
        var data = TrainingData.Build(request, sequences, series, limits.Value);
        cancellationToken.ThrowIfCancellationRequested();
        if (request.Training.Precision == Precision.Float64) Train<double>(db, job, data, cancellationToken, stopping);
        else Train<float>(db, job, data, cancellationToken, stopping);
    }

    private static (List<SequenceData> Sequences, SeriesSource? Series) LoadData(LstmDbContext db, TrainingJob job)
    {
        if (job.InlineData is not null) return (SequenceCodec.Decode(job.InlineData), null);
        var dataset = db.Datasets.AsNoTracking().SingleOrDefault(d => d.Id == job.DatasetId)
            ?? throw new InvalidOperationException($"Dataset {job.DatasetId} was deleted before the job ran.");
        var sequences = SequenceCodec.Decode(dataset.Content);
        return (sequences, SeriesSource.From(dataset, sequences));
    }

    private void Train<T>(LstmDbContext db, TrainingJob job, TrainingData data, CancellationToken cancellationToken, CancellationToken stopping)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var training = data.Settings;
        var network = new LstmNetwork<T>(data.Spec, compute.Context);
        if (job.InitialModelId is { } initial)
        {
            var file = db.Models.AsNoTracking().Where(m => m.Id == initial).Select(m => m.File).SingleOrDefault()
                ?? throw new InvalidOperationException($"Model {initial} was deleted before the job ran.");
            ParameterTensors.Import(network.Parameters, ModelFile.Read(file).Tensors);
        }
        else
        {
            network.Initialize(new Rng(training.Seed), training.ForgetGateBiasOne);
            // The LSTM learns what a linear part leaves: starting its head at zero starts the
            // forecast at the linear one, which training leaves only where the loss falls.
            if (data.WindowModel?.Linear is not null) ClearHead(network);
        }

        var trainerOptions = new TrainingOptions
        {
            Epochs = training.Epochs!.Value, BatchSize = training.BatchSize, Optimizer = training.Optimizer, LearningRate = training.LearningRate!.Value,
            Momentum = training.Momentum, ClipNorm = training.ClipNorm, EarlyStoppingPatience = training.EarlyStoppingPatience is > 0 ? training.EarlyStoppingPatience : null,
            Seed = training.Seed, Shuffle = training.Shuffle, CellGradient = training.CellGradient, FrozenParameters = training.FrozenParameters ?? [],
        };
        Trainer<T>? trainer = null;
        var sinceCheckpoint = Stopwatch.StartNew();
        // An epoch's seconds run from the previous epoch's end to its own, so they hold that
        // epoch's database writes and checkpoint: the epochs sum to the job's wall time, and the
        // ETA built from them holds when epochs are as short as the writes.
        var sinceEpoch = new Stopwatch();
        void SaveCheckpoint()
        {
            var checkpoint = trainer!.Checkpoint();
            job.Checkpoint = checkpoint.ToBytes();
            job.CheckpointEpoch = checkpoint.Epoch;
            job.Crashes = 0; // progress since the last crash: not a crash loop
            sinceCheckpoint.Restart();
        }
        trainer = new Trainer<T>(network, trainerOptions, data.Train, data.Validation)
        {
            // So that a graceful stop in the middle of an epoch can still save every finished one.
            KeepEpochStart = true,
            EpochCompleted = e =>
            {
                double seconds = sinceEpoch.Elapsed.TotalSeconds;
                sinceEpoch.Restart();
                db.EpochMetrics.Add(new EpochMetric
                {
                    JobId = job.Id, Epoch = e.Epoch, TrainLoss = e.TrainLoss, ValidationLoss = e.ValidationLoss, LearningRate = e.LearningRate, Seconds = seconds,
                });
                job.Epoch = e.Epoch;
                job.LatestTrainLoss = e.TrainLoss;
                job.LatestValidationLoss = e.ValidationLoss;
                if (sinceCheckpoint.Elapsed.TotalSeconds >= options.Value.CheckpointSeconds) SaveCheckpoint();
                db.SaveChanges();
            },
        };
        if (job.Checkpoint is not null) trainer.Restore(TrainingCheckpoint<T>.FromBytes(job.Checkpoint));
        // Epochs after the last checkpoint (all of them, without one) were lost with a stopped
        // process: they run again, so their rows go, and each epoch is written exactly once.
        db.EpochMetrics.Where(m => m.JobId == job.Id && m.Epoch > job.CheckpointEpoch).ExecuteDelete();
        job.Epoch = job.CheckpointEpoch;

        TrainingResult result;
        try
        {
            sinceEpoch.Start();
            result = trainer.Run(cancellationToken);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            try
            {
                SaveCheckpoint();
                db.SaveChanges();
            }
            catch (Exception e)
            {
                // The job still goes back to the queue, from the last checkpoint that was saved.
                logger.LogError(e, "Job {JobId} could not save its checkpoint while the service stopped", job.Id);
            }
            throw;
        }

        // The losses of the epoch whose weights are stored: the best one when early stopping restored it.
        var (held, weightsEpoch) = (result.History[result.WeightsEpoch - 1], result.WeightsEpoch);
        if (data.WindowModel?.Linear is not null && LinearAloneIsBetter(network, data) is { } linear) (held, weightsEpoch) = (linear, 0);
        var modelFile = ModelFile.ToBytes(network, data.Normalizer); // before the predictor below marks the weights final
        ForecastingView? forecasting = null;
        ConformalIntervals? intervals = null;
        ModelEvaluation? evaluation = null;
        if (data.Series is { } plan) (forecasting, intervals, evaluation) = HeldOutEvaluation.OfSeries(network, data.Normalizer, plan, data.WindowModel);
        else if (data.Labels is { } labels) evaluation = HeldOutEvaluation.OfClassifier(network, data.Normalizer, data.Test, labels);
        var model = new StoredModel
        {
            Id = Ids.New(),
            Name = job.Name,
            JobId = job.Id,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
            SpecJson = JsonSerializer.Serialize(data.Spec, ApiJson.Options),
            Precision = typeof(T) == typeof(double) ? "float64" : "float32",
            HasNormalizer = data.Normalizer is not null,
            ParameterCount = network.Parameters.Count,
            MetricsJson = JsonSerializer.Serialize(new ModelMetrics(held.TrainLoss, held.ValidationLoss, weightsEpoch, result.BestEpoch, result.BestLoss, result.History.Count, result.StoppedEarly), ApiJson.Options),
            LabelsJson = data.Labels is null ? null : JsonSerializer.Serialize(data.Labels, ApiJson.Options),
            TrainingJson = JsonSerializer.Serialize(data.Settings, ApiJson.Options),
            DatasetId = job.DatasetId,
            ForecastingJson = forecasting is null ? null : JsonSerializer.Serialize(forecasting, ApiJson.Options),
            IntervalsJson = intervals is null ? null : JsonSerializer.Serialize(intervals, ApiJson.Options),
            EvaluationJson = evaluation is null ? null : JsonSerializer.Serialize(evaluation, ApiJson.Options),
            File = modelFile,
        };
        db.Models.Add(model);
        job.ModelId = model.Id;
        job.Status = JobStatus.Succeeded;
        job.FinishedAt = clock.GetUtcNow().UtcDateTime;
        job.Checkpoint = null; // the model supersedes it
        db.SaveChanges();
    }

    // A series model's LSTM is kept only where it beats its linear part alone on the validation
    // part (the training part without one): else its head goes back to zero, where training
    // started, and the model is the linear part. Returns that start's losses, or null to keep the LSTM.
    private static EpochProgress? LinearAloneIsBetter<T>(LstmNetwork<T> network, TrainingData data) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var judged = data.Validation.Count > 0 ? data.Validation : data.Train;
        double withLstm = Trainer<T>.Evaluate(network, judged);
        var (weight, bias) = (network.Parameters.ValuesOf("head.weight").ToArray(), network.Parameters.ValuesOf("head.bias").ToArray());
        ClearHead(network);
        double alone = Trainer<T>.Evaluate(network, judged);
        if (alone <= withLstm)
            return new EpochProgress(0, data.Settings.Epochs!.Value, Trainer<T>.Evaluate(network, data.Train), data.Validation.Count > 0 ? alone : null, data.Settings.LearningRate!.Value, 0);
        weight.CopyTo(network.Parameters.ValuesOf("head.weight"));
        bias.CopyTo(network.Parameters.ValuesOf("head.bias"));
        return null;
    }

    // A head of zeros: the LSTM adds nothing to the linear part's forecast.
    private static void ClearHead<T>(LstmNetwork<T> network) where T : unmanaged, IFloatingPointIeee754<T>
    {
        network.Parameters.ValuesOf("head.weight").Clear();
        network.Parameters.ValuesOf("head.bias").Clear();
    }
}

/// <summary>
/// What a finished training run reports with its model: the losses of the epoch whose weights it
/// holds (<c>weightsEpoch</c>: the best one when early stopping restored it, else the last), the
/// best epoch, and how many epochs ran.
/// </summary>
public sealed record ModelMetrics(double TrainLoss, double? ValidationLoss, int WeightsEpoch, int BestEpoch, double BestLoss, int Epochs, bool StoppedEarly);

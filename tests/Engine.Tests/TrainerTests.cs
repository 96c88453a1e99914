// The training loop's contract: resumable bit for bit, deterministic across thread counts,
// early stopping that restores the best weights, cancellation, divergence, and the seed
// example's trace when run through the trainer.
using System.Numerics;
using LstmService.Engine.Data;
using LstmService.Engine.Layers;
using LstmService.Engine.Training;

namespace LstmService.Engine.Tests;

public class TrainerTests
{
    private static readonly ModelSpec Spec = new() { InputSize = 3, HiddenSize = 16, Layers = 2, Dropout = 0.2, OutputSize = 2 };
    private static readonly TrainingOptions Options = new() { Epochs = 6, BatchSize = 4, LearningRate = 0.01, ClipNorm = 1.0, Seed = 9 };

    private static (LstmNetwork<T> Network, Trainer<T> Trainer) Setup<T>(TrainingOptions options, ModelSpec? spec = null,
        Action<EpochProgress>? onEpoch = null, Action<BatchProgress>? onBatch = null, double targetScale = 1, bool keepEpochStart = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        spec ??= Spec;
        var network = new LstmNetwork<T>(spec);
        network.Initialize(new Rng(1));
        var train = TestData.Random(spec, [4, 7, 5, 6, 3, 7, 2, 5, 6, 4, 7], seed: 2);
        if (targetScale != 1) train = train.Select(s => s with { Targets = s.Targets!.Select(r => r.Select(v => v * targetScale).ToArray()).ToArray() }).ToList();
        var validation = TestData.Random(spec, [5, 6, 4], seed: 3);
        return (network, new Trainer<T>(network, options, train, validation) { EpochCompleted = onEpoch, BatchCompleted = onBatch, KeepEpochStart = keepEpochStart });
    }

    [Fact]
    public void A_run_resumed_from_a_checkpoint_gives_the_same_losses_bit_for_bit()
    {
        var (uninterrupted, trainer) = Setup<float>(Options);
        var expected = trainer.Run().History;

        // The first run stops mid-way through epoch 4, as in a crash, after a checkpoint at epoch 3.
        byte[]? saved = null;
        var cancel = new CancellationTokenSource();
        Trainer<float>? first = null;
        first = Setup<float>(Options,
            onEpoch: e => { if (e.Epoch == 3) saved = first!.Checkpoint().ToBytes(); },
            onBatch: b => { if (b.Epoch == 4 && b.Batch == 2) cancel.Cancel(); }).Trainer;
        Assert.Throws<OperationCanceledException>(() => first.Run(cancel.Token));

        var (resumed, second) = Setup<float>(Options);
        second.Restore(TrainingCheckpoint<float>.FromBytes(saved!));
        Assert.Equal(3, second.CompletedEpochs);
        var history = second.Run().History;

        Assert.Equal(expected.Select(e => (e.Epoch, e.TrainLoss, e.ValidationLoss)), history.Select(e => (e.Epoch, e.TrainLoss, e.ValidationLoss)));
        Assert.Equal(uninterrupted.Parameters.Values, resumed.Parameters.Values);
    }

    [Fact]
    public void A_run_stopped_mid_epoch_that_kept_the_epoch_start_checkpoints_its_last_epoch_and_resumes_bit_for_bit()
    {
        var (uninterrupted, trainer) = Setup<float>(Options);
        var expected = trainer.Run().History;

        // Stopped in the middle of epoch 4, as a service stopping gracefully would stop it.
        var cancel = new CancellationTokenSource();
        var first = Setup<float>(Options, onBatch: b => { if (b.Epoch == 4 && b.Batch == 2) cancel.Cancel(); }, keepEpochStart: true).Trainer;
        Assert.Throws<OperationCanceledException>(() => first.Run(cancel.Token));
        var checkpoint = first.Checkpoint();
        Assert.Equal(3, checkpoint.Epoch);
        Assert.Equal(3, checkpoint.History.Count);

        var (resumed, second) = Setup<float>(Options);
        second.Restore(TrainingCheckpoint<float>.FromBytes(checkpoint.ToBytes()));
        var history = second.Run().History;

        Assert.Equal(expected.Select(e => (e.Epoch, e.TrainLoss, e.ValidationLoss)), history.Select(e => (e.Epoch, e.TrainLoss, e.ValidationLoss)));
        Assert.Equal(uninterrupted.Parameters.Values, resumed.Parameters.Values);
    }

    [Fact]
    public void The_same_seed_gives_the_same_losses_with_one_thread_or_two()
    {
        // Large enough that the products split over threads (batch 32, 4H = 256).
        var spec = new ModelSpec { InputSize = 8, HiddenSize = 64, OutputSize = 1, Steps = OutputSteps.Last };
        var options = new TrainingOptions { Epochs = 2, BatchSize = 32, Seed = 4 };
        List<double> Losses(int threads)
        {
            using var compute = FixedThreads.Context(threads);
            var network = new LstmNetwork<float>(spec, compute);
            network.Initialize(new Rng(1));
            var data = TestData.Random(spec, Enumerable.Repeat(24, 96).ToArray(), seed: 5);
            var losses = new List<double>();
            new Trainer<float>(network, options, data) { BatchCompleted = b => losses.Add(b.Loss) }.Run();
            losses.AddRange(network.Parameters.Values.Select(v => (double)v));
            return losses;
        }
        Assert.Equal(Losses(1), Losses(2));
    }

    [Fact]
    public void Early_stopping_restores_the_weights_of_the_best_epoch()
    {
        // Random validation targets unrelated to training: validation loss soon stops improving.
        var options = Options with { Epochs = 200, LearningRate = 0.05, EarlyStoppingPatience = 3 };
        var snapshots = new Dictionary<int, float[]>();
        LstmNetwork<float>? network = null;
        Trainer<float> trainer;
        (network, trainer) = Setup<float>(options, onEpoch: e => snapshots[e.Epoch] = (float[])network!.Parameters.Values.Clone());
        var result = trainer.Run();

        Assert.True(result.StoppedEarly);
        Assert.Equal(result.BestEpoch + 3, result.History.Count);
        Assert.Equal(result.History.Min(e => e.ValidationLoss!.Value), result.BestLoss);
        Assert.Equal(snapshots[result.BestEpoch], network.Parameters.Values);
    }

    [Fact]
    public void Cancellation_stops_within_a_batch_and_keeps_the_completed_epochs()
    {
        var cancel = new CancellationTokenSource();
        var epochs = new List<EpochProgress>();
        var (_, trainer) = Setup<float>(Options, onEpoch: epochs.Add, onBatch: b => { if (b.Epoch == 2 && b.Batch == 1) cancel.Cancel(); });
        Assert.Throws<OperationCanceledException>(() => trainer.Run(cancel.Token));
        Assert.Single(epochs);
        Assert.Equal(1, trainer.CompletedEpochs);
    }

    [Fact]
    public void Divergence_ends_training_with_an_error_naming_the_epoch()
    {
        var (_, trainer) = Setup<double>(Options with { Optimizer = OptimizerKind.Sgd, LearningRate = 10, ClipNorm = null }, targetScale: 1e200);
        var error = Assert.Throws<TrainingDivergedException>(() => trainer.Run());
        Assert.Equal(1, error.Epoch);
        Assert.Contains("epoch 1", error.Message);
    }

    [Fact]
    public void Progress_is_reported_per_batch_and_per_epoch()
    {
        var batches = new List<BatchProgress>();
        var epochs = new List<EpochProgress>();
        var (_, trainer) = Setup<float>(Options with { Epochs = 2 }, onEpoch: epochs.Add, onBatch: batches.Add);
        var result = trainer.Run();
        Assert.Equal(2 * 3, batches.Count); // 11 sequences in batches of 4
        Assert.All(batches, b => Assert.Equal(3, b.Batches));
        Assert.Equal([1, 2], epochs.Select(e => e.Epoch));
        Assert.All(epochs, e => { Assert.True(e.Seconds >= 0); Assert.NotNull(e.ValidationLoss); });
        Assert.Equal(epochs, result.History);
        Assert.Equal(batches.Take(3).Average(b => b.Loss), epochs[0].TrainLoss, 12);
    }

    [Fact]
    public void The_seed_example_through_the_trainer_reproduces_the_reference_losses()
    {
        var network = SeedExampleTests.NetworkFromInitialWeights();
        var options = new TrainingOptions
        {
            Epochs = 100, BatchSize = 1, Optimizer = OptimizerKind.Sgd, LearningRate = 0.4, ClipNorm = null, Shuffle = false,
            FrozenParameters = ["lstm.bias_hh_l0"],
        };
        var history = new Trainer<double>(network, options, SeedExampleTests.Data()).Run().History;
        var expected = Reference.Flat(Reference.Load("seed", "example0.json").GetProperty("full").GetProperty("loss"));
        // Iterations 0–38, before the trace becomes ill-conditioned (see SeedExampleTests).
        Reference.AssertClose(expected.Take(39).ToArray(), history.Take(39).Select(e => 4 * e.TrainLoss).ToArray(), 1e-9, "seed loss via the trainer");
        Reference.AssertClose(expected, history.Select(e => 4 * e.TrainLoss).ToArray(), 5e-8, "seed loss via the trainer");
    }

    [Theory]
    [InlineData("Epochs")]
    [InlineData("BatchSize")]
    [InlineData("LearningRate")]
    [InlineData("Momentum")]
    [InlineData("ClipNorm")]
    public void Bad_options_are_rejected_naming_the_field(string field)
    {
        var bad = field switch
        {
            "Epochs" => Options with { Epochs = 0 },
            "BatchSize" => Options with { BatchSize = -1 },
            "LearningRate" => Options with { LearningRate = double.NaN },
            "Momentum" => Options with { Momentum = 1.5 },
            _ => Options with { ClipNorm = 0 },
        };
        var error = Assert.Throws<ArgumentException>(() => Setup<float>(bad));
        Assert.Equal(field, error.ParamName);
    }
}

public class TrainerResumeEdgeTests
{
    private static readonly ModelSpec Spec = new() { InputSize = 3, HiddenSize = 8, OutputSize = 2 };

    private static Trainer<float> Trainer(TrainingOptions options, out LstmNetwork<float> network, Action<EpochProgress>? onEpoch = null, Action<BatchProgress>? onBatch = null)
    {
        network = new LstmNetwork<float>(Spec);
        network.Initialize(new Rng(1));
        return new Trainer<float>(network, options, TestData.Random(Spec, [4, 6, 5, 3, 7, 5], seed: 2), TestData.Random(Spec, [5, 4], seed: 3))
            { EpochCompleted = onEpoch, BatchCompleted = onBatch };
    }

    [Fact]
    public void Resuming_from_the_epoch_that_ran_out_of_patience_stops_there_too()
    {
        var options = new TrainingOptions { Epochs = 300, BatchSize = 2, LearningRate = 0.05, EarlyStoppingPatience = 2, Seed = 4 };
        var checkpoints = new List<byte[]>();
        Trainer<float>? first = null;
        first = Trainer(options, out var uninterrupted, onEpoch: _ => checkpoints.Add(first!.Checkpoint().ToBytes()));
        var expected = first.Run();
        Assert.True(expected.StoppedEarly);

        var resumed = Trainer(options, out var network);
        resumed.Restore(TrainingCheckpoint<float>.FromBytes(checkpoints[^1]));
        var result = resumed.Run();
        Assert.True(result.StoppedEarly);
        Assert.Equal(expected.History.Count, result.History.Count);
        Assert.Equal(expected.WeightsEpoch, result.WeightsEpoch);
        Assert.Equal(uninterrupted.Parameters.Values, network.Parameters.Values);
    }

    [Fact]
    public void A_run_stopped_mid_epoch_can_be_neither_checkpointed_nor_continued()
    {
        var cancel = new CancellationTokenSource();
        var trainer = Trainer(new TrainingOptions { Epochs = 5, BatchSize = 2 }, out _, onBatch: b => { if (b.Epoch == 2 && b.Batch == 2) cancel.Cancel(); });
        Assert.Throws<OperationCanceledException>(() => trainer.Run(cancel.Token));
        Assert.Throws<InvalidOperationException>(() => trainer.Checkpoint());
        Assert.Throws<InvalidOperationException>(() => trainer.Run());
    }

    [Fact]
    public void A_checkpoint_from_another_run_is_refused_and_changes_nothing()
    {
        var trainer = Trainer(new TrainingOptions { Epochs = 2, Seed = 1 }, out _);
        trainer.Run();
        var checkpoint = trainer.Checkpoint();
        var other = Trainer(new TrainingOptions { Epochs = 2, Seed = 2 }, out var network);
        var before = (float[])network.Parameters.Values.Clone();
        Assert.Throws<ArgumentException>(() => other.Restore(checkpoint));
        Assert.Equal(before, network.Parameters.Values);
        Assert.Equal(0, other.CompletedEpochs);
    }

    [Fact]
    public void Corrupt_checkpoint_bytes_are_invalid_data()
    {
        var trainer = Trainer(new TrainingOptions { Epochs = 1 }, out _);
        trainer.Run();
        var bytes = trainer.Checkpoint().ToBytes();
        Assert.Throws<InvalidDataException>(() => TrainingCheckpoint<float>.FromBytes(bytes[..^3]));
        Assert.Throws<InvalidDataException>(() => TrainingCheckpoint<float>.FromBytes([.. bytes, 0]));
        Assert.Throws<InvalidDataException>(() => TrainingCheckpoint<double>.FromBytes(bytes));
        var huge = (byte[])bytes.Clone();
        BitConverter.GetBytes(int.MaxValue).CopyTo(huge, bytes.Length - 4 - 41); // a history count far beyond the bytes left
        Assert.Throws<InvalidDataException>(() => TrainingCheckpoint<float>.FromBytes(huge));
    }

    [Fact]
    public void Without_early_stopping_the_weights_are_the_last_epochs()
    {
        var result = Trainer(new TrainingOptions { Epochs = 4 }, out _).Run();
        Assert.Equal(4, result.WeightsEpoch);
    }
}

// How to train: epochs, batching, optimizer and its hyperparameters, clipping, early stopping,
// the seed, and which backward pass. Every field has a default; Validate names a bad one.
using LstmService.Engine.Layers;

namespace LstmService.Engine.Training;

public sealed record TrainingOptions
{
    public int Epochs { get; init; } = 50;
    public int BatchSize { get; init; } = 32;
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>SGD momentum (0 = none); ignored by Adam.</summary>
    public double Momentum { get; init; }
    /// <summary>Clip gradients to this global norm; null = no clipping.</summary>
    public double? ClipNorm { get; init; } = 5.0;
    /// <summary>Stop after this many epochs without improvement and restore the best weights; null = run every epoch.</summary>
    public int? EarlyStoppingPatience { get; init; }
    /// <summary>Seeds shuffling and dropout. (Initialization and the validation split take their own seeds.)</summary>
    public ulong Seed { get; init; } = 1;
    public bool Shuffle { get; init; } = true;
    public CellGradient CellGradient { get; init; } = CellGradient.Full;
    /// <summary>
    /// Parameters held fixed, by name (e.g. <c>lstm.bias_hh_l0</c>), like PyTorch's
    /// <c>requires_grad = False</c>. The seed example freezes bias_hh so that its single bias per
    /// gate is learned at its own rate rather than twice over.
    /// </summary>
    public IReadOnlyList<string> FrozenParameters { get; init; } = [];

    public void Validate()
    {
        Require(Epochs is >= 1 and <= 1_000_000, nameof(Epochs), "must be between 1 and 1000000");
        Require(BatchSize is >= 1 and <= 65_536, nameof(BatchSize), "must be between 1 and 65536");
        Require(Enum.IsDefined(Optimizer), nameof(Optimizer), "is not a known optimizer");
        Require(double.IsFinite(LearningRate) && LearningRate > 0 && LearningRate <= 10, nameof(LearningRate), "must be in (0, 10]");
        Require(Momentum is >= 0 and < 1, nameof(Momentum), "must be in [0, 1)");
        Require(ClipNorm is null || (double.IsFinite(ClipNorm.Value) && ClipNorm > 0), nameof(ClipNorm), "must be positive or null");
        Require(EarlyStoppingPatience is null or >= 1, nameof(EarlyStoppingPatience), "must be at least 1 or null");
        Require(Enum.IsDefined(CellGradient), nameof(CellGradient), "is not a known cell gradient");
    }

    private static void Require(bool ok, string field, string why) => Validation.Require(ok, field, why);
}

// Parameter updates from gradients. Both optimizers follow PyTorch's update rules exactly, so
// hyperparameters carry over, and expose their state so a checkpoint can capture it.
using System.Numerics;

namespace LstmService.Engine.Training;

public enum OptimizerKind { Sgd, Adam }

internal abstract class Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Updates completed so far (Adam's bias correction depends on it).</summary>
    public long Steps { get; set; }

    /// <summary>The optimizer's per-parameter buffers, in a fixed order, for checkpoints.</summary>
    public abstract IReadOnlyList<T[]> State { get; }

    /// <summary>values −= update(gradients), with the given learning rate.</summary>
    public abstract void Step(T[] values, T[] gradients, double learningRate);

    public static Optimizer<T> Create(OptimizerKind kind, int parameterCount, double momentum) => kind switch
    {
        OptimizerKind.Sgd => new SgdOptimizer<T>(parameterCount, momentum),
        OptimizerKind.Adam => new AdamOptimizer<T>(parameterCount),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown optimizer."),
    };
}

// What the trainer reports as it goes: one record per epoch, one per batch.
namespace LstmService.Engine.Training;

/// <param name="TrainLoss">The mean of the epoch's batch losses, each computed before that batch's update.</param>
/// <param name="ValidationLoss">The loss over the whole validation set after the epoch; null without one.</param>
/// <param name="Seconds">The epoch's wall time.</param>
public sealed record EpochProgress(int Epoch, int Epochs, double TrainLoss, double? ValidationLoss, double LearningRate, double Seconds);

public sealed record BatchProgress(int Epoch, int Batch, int Batches, double Loss);

/// <summary>
/// How a run ended: every epoch's losses; the best epoch by validation loss (train loss without
/// validation); and <paramref name="WeightsEpoch"/>, the epoch whose weights the network now holds:
/// the best one when early stopping is on (they are restored), else the last.
/// </summary>
public sealed record TrainingResult(IReadOnlyList<EpochProgress> History, int BestEpoch, double BestLoss, bool StoppedEarly, int WeightsEpoch);

/// <summary>Training produced NaN or infinity: the loss, the gradient or the weights.</summary>
public sealed class TrainingDivergedException(int epoch, string what)
    : Exception($"Training diverged in epoch {epoch}: {what}. Try a smaller learning rate or gradient clipping (clipNorm).")
{
    public int Epoch { get; } = epoch;
}

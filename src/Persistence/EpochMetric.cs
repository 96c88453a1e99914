namespace LstmService.Persistence;

/// <summary>One row of a job's loss history, written as the epoch finishes.</summary>
public sealed class EpochMetric
{
    public required string JobId { get; init; }
    public int Epoch { get; init; }
    public double TrainLoss { get; init; }
    public double? ValidationLoss { get; init; }
    public double LearningRate { get; init; }
    public double Seconds { get; init; }
}

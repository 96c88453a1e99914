namespace LstmService.Api.Training;

/// <summary>The "Training" configuration section.</summary>
public sealed class WorkerOptions
{
    /// <summary>Jobs trained at the same time; each takes a thread (and the kernels' cores).</summary>
    public int MaxConcurrentJobs { get; set; } = 1;
    /// <summary>A checkpoint is saved after an epoch when this many seconds passed since the last one (and after the last epoch).</summary>
    public double CheckpointSeconds { get; set; } = 30;
    /// <summary>A job the process died under this many times in a row, with no new checkpoint in between, ends failed instead of starting again; 0 retries forever.</summary>
    public int MaxCrashes { get; set; } = 3;
}

// Bounds on everything a client controls, from configuration ("Limits"), so one request cannot
// take the machine down. Every request field is checked against these before anything is stored.
namespace LstmService.Api;

public sealed class ServiceLimits
{
    /// <summary>Any request body: CSV series and multipart model files.</summary>
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024 * 1024;
    /// <summary>
    /// A JSON body (jobs with inline data, JSON datasets, predictions): read into arrays of doubles it
    /// takes 11–18× its size in memory at its peak (bench/request-memory.sh, docs/dev/operations-log.md).
    /// </summary>
    public long MaxJsonBodyBytes { get; set; } = 16 * 1024 * 1024;
    public int MaxSequences { get; set; } = 100_000;
    public int MaxSequenceLength { get; set; } = 10_000;
    /// <summary>Rows of an uploaded CSV time series (windows cut from it are bounded by MaxSequenceLength).</summary>
    public int MaxSeriesRows { get; set; } = 1_000_000;
    public int MaxInputSize { get; set; } = 1024;
    public int MaxOutputSize { get; set; } = 1024;
    public int MaxHiddenSize { get; set; } = 2048;
    public int MaxLayers { get; set; } = 8;
    public int MaxEpochs { get; set; } = 100_000;
    public int MaxBatchSize { get; set; } = 4096;
    public int MaxForecastHorizon { get; set; } = 10_000;
    /// <summary>Parameters of a model: its checkpoint (weights, best weights, optimizer state) must fit one SQLite value (1 GB).</summary>
    public int MaxParameters { get; set; } = 10_000_000;
    /// <summary>Numbers in a job's training data once windowed (inputs and targets): what the worker holds in memory.</summary>
    public long MaxTrainingValues { get; set; } = 20_000_000;
    /// <summary>
    /// Multiply-adds a job may take: epochs × steps of its (windowed) data × 3 (forward and backward)
    /// × Σ per layer 4H(X + H) plus the head. 10¹⁵ is about 9 hours at the engine's measured
    /// 31 G multiply-adds/s on 2 cores (docs/benchmarks.md, B3), longer for small batches.
    /// </summary>
    public double MaxWorkPerJob { get; set; } = 1e15;
    /// <summary>Multiply-adds one predict or forecast call may take (steps × one step forward): 10¹² is about 30 s.</summary>
    public double MaxWorkPerPrediction { get; set; } = 1e12;
    /// <summary>Numbers one predict call may return.</summary>
    public long MaxPredictedValues { get; set; } = 10_000_000;
    public int MaxCachedModels { get; set; } = 16;
    /// <summary>Memory the loaded models may hold (their weights and gradients), least recently used out first.</summary>
    public long MaxCachedModelBytes { get; set; } = 1L << 30;
}

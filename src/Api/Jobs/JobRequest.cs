// The body of POST /api/jobs, as the HTTP contract (shared/design/api.md) spells it. Every field
// has a default; JobValidator checks every one against ServiceLimits.
using System.Text.Json.Serialization;
using LstmService.Engine;
using LstmService.Engine.Layers;
using LstmService.Engine.Training;

namespace LstmService.Api.Jobs;

public sealed record JobRequest
{
    public string? Name { get; init; }
    /// <summary>Inline sequences; give exactly one of this and <see cref="DatasetId"/>.</summary>
    public InlineData? Data { get; init; }
    public string? DatasetId { get; init; }
    /// <summary>Start from this model's weights; its architecture must match <c>model</c>.</summary>
    public string? InitialModelId { get; init; }
    public ModelRequest Model { get; init; } = new();
    public TrainingRequest Training { get; init; } = new();

    /// <summary>The request with a JSON <c>null</c> for a section read as "all defaults", as a missing one is.</summary>
    public JobRequest WithDefaults() => this with { Model = (Model ?? new()).WithDefaults(), Training = Training ?? new() };
}

public sealed record InlineData
{
    public List<SequenceData>? Sequences { get; init; }
}

/// <summary>
/// One sequence: <c>inputs</c> [T][X] and either <c>targets</c> [T][Y] (outputs on every step),
/// <c>target</c> [Y] (after the last step) or <c>label</c> (a class, for cross-entropy).
/// </summary>
public sealed record SequenceData
{
    public double[][]? Inputs { get; init; }
    public double[][]? Targets { get; init; }
    public double[]? Target { get; init; }
    public string? Label { get; init; }
}

public enum LossName { Mse, CrossEntropy }

public enum Precision { Float32, Float64 }

/// <summary>What a series job does with empty cells: fill them (never scoring a filled value) or refuse the data.</summary>
public enum MissingPolicy { Interpolate, ForwardFill, Error }

/// <summary>
/// How a series model sees its windows: <c>window</c>, each window relative to its last row, in
/// units of the series' typical step (levels and trends beyond the training range can be
/// forecast); <c>zscore</c>, the raw values with only the training part's z-score.
/// </summary>
public enum SeriesScaling
{
    Window,
    [JsonStringEnumMemberName("zscore")] ZScore,
}

public sealed record ModelRequest
{
    public CellKind Cell { get; init; } = CellKind.Standard;
    /// <summary>Hidden units per layer (default: chosen from the data for a series job, else 64).</summary>
    public int? HiddenSize { get; init; }
    public int Layers { get; init; } = 1;
    public double Dropout { get; init; }
    public OutputRequest Output { get; init; } = new();
    public LossName Loss { get; init; } = LossName.Mse;

    public ModelRequest WithDefaults() => this with { Output = Output ?? new() };
}

public sealed record OutputRequest
{
    public OutputKind Kind { get; init; } = OutputKind.Dense;
    /// <summary>Outputs per step; for cross-entropy the number of classes is taken from the labels.</summary>
    public int Size { get; init; } = 1;
    public OutputSteps Steps { get; init; } = OutputSteps.All;
}

public sealed record TrainingRequest
{
    /// <summary>Passes over the training data (default: chosen from the data for a series job, else 50).</summary>
    public int? Epochs { get; init; }
    public int BatchSize { get; init; } = 32;
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;
    /// <summary>The optimizer's step size (default: chosen from the data for a series job, else 0.001).</summary>
    public double? LearningRate { get; init; }
    public double Momentum { get; init; }
    public double? ClipNorm { get; init; } = 5.0;
    public double ValidationFraction { get; init; } = 0.1;
    /// <summary>
    /// Stop after this many epochs without a better validation loss and keep the best weights;
    /// 0 or null never stops early (default: chosen from the data for a series job, else null).
    /// </summary>
    public int? EarlyStoppingPatience { get; init; }
    public ulong Seed { get; init; } = 1;
    public Precision Precision { get; init; } = Precision.Float32;
    /// <summary>Z-score inputs (and regression targets) with statistics of the training split.</summary>
    public bool Normalize { get; init; } = true;
    public bool Shuffle { get; init; } = true;
    public CellGradient CellGradient { get; init; } = CellGradient.Full;
    /// <summary>Start the forget gate open (bias 1).</summary>
    public bool ForgetGateBiasOne { get; init; }
    /// <summary>Parameters held fixed, by PyTorch name (e.g. <c>lstm.bias_hh_l0</c>).</summary>
    public List<string>? FrozenParameters { get; init; }
    /// <summary>For a time-series dataset: input steps per window (default: chosen from the season).</summary>
    public int? Window { get; init; }
    /// <summary>For a time-series dataset: steps predicted after each window.</summary>
    public int? Horizon { get; init; }
    /// <summary>For a time-series dataset: the columns to predict (default: all); the others are inputs only.</summary>
    public List<string>? Targets { get; init; }
    /// <summary>For a time-series dataset: how empty cells are filled, or <c>error</c> to refuse them.</summary>
    public MissingPolicy Missing { get; init; } = MissingPolicy.Interpolate;
    /// <summary>For a time-series dataset: the season in steps, for the seasonal-naive baseline and MASE (default: from the time column's spacing, else 1).</summary>
    public int? SeasonLength { get; init; }
    /// <summary>The last part of a series, in time, held out for evaluation (default 0.1 for a series, 0 otherwise).</summary>
    public double? TestFraction { get; init; }
    /// <summary>For a time-series dataset: how a window is scaled before the model sees it (default <c>window</c>).</summary>
    public SeriesScaling? Scaling { get; init; }
    /// <summary>
    /// For a time-series dataset under window scaling: a linear autoregression fitted to the
    /// scaled windows forecasts first and the LSTM learns what it leaves (default true).
    /// </summary>
    public bool? Linear { get; init; }
}

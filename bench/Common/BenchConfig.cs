// The six benchmark configurations of issue 4, shared by our engine's bench and the TorchSharp
// peer so both run exactly the same shapes.
namespace LstmService.Bench;

public enum BenchKind { Training, Inference }

/// <param name="Id">B1…B3 (training), I1…I3 (inference)</param>
/// <param name="HiddenReadout">outputs are the first OutputSize hidden units (the seed example), not a dense head</param>
/// <param name="AllSteps">outputs on every step, else on the last step only</param>
/// <param name="Adam">Adam at lr 1e-3, else SGD at lr 0.1</param>
/// <param name="Unit">what the median reports: "ms/iteration", "sequences/s" or "µs/forward"</param>
public sealed record BenchConfig(
    string Id, BenchKind Kind, int Input, int Hidden, int Layers, int Steps, int Batch, int Outputs,
    bool HiddenReadout, bool AllSteps, bool Adam, string Unit)
{
    public static readonly IReadOnlyList<BenchConfig> All =
    [
        new("B1", BenchKind.Training, 50, 100, 1, 4, 1, 1, HiddenReadout: true, AllSteps: true, Adam: false, "ms/iteration"),
        new("B2", BenchKind.Training, 8, 64, 1, 48, 32, 1, HiddenReadout: false, AllSteps: false, Adam: true, "sequences/s"),
        new("B3", BenchKind.Training, 64, 256, 2, 64, 64, 1, HiddenReadout: false, AllSteps: false, Adam: true, "sequences/s"),
        new("I1", BenchKind.Inference, 8, 64, 1, 48, 1, 1, HiddenReadout: false, AllSteps: false, Adam: false, "µs/forward"),
        new("I2", BenchKind.Inference, 8, 64, 1, 48, 256, 1, HiddenReadout: false, AllSteps: false, Adam: false, "sequences/s"),
        new("I3", BenchKind.Inference, 64, 256, 2, 64, 64, 1, HiddenReadout: false, AllSteps: false, Adam: false, "sequences/s"),
    ];

    public double LearningRate => Adam ? 1e-3 : 0.1;

    /// <summary>Forward multiply-adds ×2 per sequence: Σ over layers of 2·T·4H·(X_l + H).</summary>
    public double ForwardFlopsPerSequence =>
        Enumerable.Range(0, Layers).Sum(l => 2.0 * Steps * 4 * Hidden * ((l == 0 ? Input : Hidden) + Hidden));

    /// <summary>Training ≈ 3× forward (the backward pass is two products per forward product).</summary>
    public double FlopsPerSequence => (Kind == BenchKind.Training ? 3 : 1) * ForwardFlopsPerSequence;

    /// <summary>The reported number from a measured rate of batches (iterations) per second.</summary>
    public double Report(double iterationsPerSecond) => Unit switch
    {
        "ms/iteration" => 1000 / iterationsPerSecond,
        "µs/forward" => 1e6 / iterationsPerSecond,
        _ => iterationsPerSecond * Batch,
    };

    /// <summary>Whether a larger reported number is better (rates) or worse (times).</summary>
    public bool HigherIsBetter => Unit == "sequences/s";
}

// What a network is: sizes, cell variant, output head and loss. Validated on construction of a
// network, so a bad spec fails with a message naming the field before any buffer is allocated.
namespace LstmService.Engine;

/// <summary>The recurrent cell. Gate order is always PyTorch's: i, f, g, o.</summary>
public enum CellKind
{
    /// <summary>c = f·c₋₁ + i·g; h = o·tanh(c) (PyTorch's nn.LSTM).</summary>
    Standard,
    /// <summary>s = g·i + s₋₁·f; h = s·o, no tanh on the cell state (the numpy original).</summary>
    Seed,
}

/// <summary>How the network's outputs are read from the top layer.</summary>
public enum OutputKind
{
    /// <summary>A linear layer (PyTorch nn.Linear) on the top hidden state.</summary>
    Dense,
    /// <summary>The first <c>OutputSize</c> hidden units of the top layer are the outputs.</summary>
    Hidden,
}

/// <summary>Where outputs (and targets) are: on every step, or after the last step only.</summary>
public enum OutputSteps { All, Last }

public enum LossKind
{
    /// <summary>Mean squared error, the mean over every valid target element.</summary>
    MeanSquaredError,
    /// <summary>Softmax cross-entropy against class labels, the mean over valid positions.</summary>
    CrossEntropy,
}

/// <summary>The architecture of a stacked LSTM with its output head and loss.</summary>
public sealed record ModelSpec
{
    public required int InputSize { get; init; }
    public required int HiddenSize { get; init; }
    public int Layers { get; init; } = 1;
    public CellKind Cell { get; init; } = CellKind.Standard;
    /// <summary>Inverted dropout on the hidden states passed from one layer to the next, in training only.</summary>
    public double Dropout { get; init; }
    public OutputKind Output { get; init; } = OutputKind.Dense;
    /// <summary>Output width: regression targets per step, or the number of classes.</summary>
    public int OutputSize { get; init; } = 1;
    public OutputSteps Steps { get; init; } = OutputSteps.All;
    public LossKind Loss { get; init; } = LossKind.MeanSquaredError;

    /// <summary>The most parameters a network may have (2²⁷, 512 MB of float32 weights): sizes whose product passes this are refused before anything is allocated.</summary>
    public const long MaxParameters = 1L << 27;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        Require(InputSize is >= 1 and <= 1 << 16, nameof(InputSize), "must be between 1 and 65536");
        Require(HiddenSize is >= 1 and <= 1 << 14, nameof(HiddenSize), "must be between 1 and 16384");
        Require(Layers is >= 1 and <= 16, nameof(Layers), "must be between 1 and 16");
        Require(Dropout is >= 0 and < 1, nameof(Dropout), "must be in [0, 1)");
        Require(OutputSize is >= 1 and <= 1 << 16, nameof(OutputSize), "must be between 1 and 65536");
        Require(Enum.IsDefined(Cell), nameof(Cell), "is not a known cell");
        Require(Enum.IsDefined(Output), nameof(Output), "is not a known output kind");
        Require(Enum.IsDefined(Steps), nameof(Steps), "is not a known output placement");
        Require(Enum.IsDefined(Loss), nameof(Loss), "is not a known loss");
        if (Output == OutputKind.Hidden)
            Require(OutputSize <= HiddenSize, nameof(OutputSize), $"a hidden-unit readout of {OutputSize} units needs HiddenSize >= {OutputSize}");
        if (Loss == LossKind.CrossEntropy)
            Require(OutputSize >= 2, nameof(OutputSize), "cross-entropy needs at least 2 classes");
        long count = ParameterLayout().Sum(t => t.Shape.Aggregate(1L, (a, b) => a * b));
        Require(count <= MaxParameters, nameof(HiddenSize), $"gives {count:N0} parameters with these sizes; at most {MaxParameters:N0} are allowed");
    }

    /// <summary>
    /// The parameters' names and shapes, PyTorch's state_dict order: per layer k weight_ih_lk
    /// [4H, in], weight_hh_lk [4H, H], bias_ih_lk [4H], bias_hh_lk [4H]; then head.weight [O, H]
    /// and head.bias [O] for a dense head. Every dimension fits an int; check the total with
    /// <see cref="Validate"/> before allocating.
    /// </summary>
    public IReadOnlyList<(string Name, int[] Shape)> ParameterLayout()
    {
        var layout = new List<(string, int[])>();
        int h = HiddenSize;
        for (int l = 0; l < Layers; l++)
        {
            layout.Add(($"lstm.weight_ih_l{l}", [4 * h, l == 0 ? InputSize : h]));
            layout.Add(($"lstm.weight_hh_l{l}", [4 * h, h]));
            layout.Add(($"lstm.bias_ih_l{l}", [4 * h]));
            layout.Add(($"lstm.bias_hh_l{l}", [4 * h]));
        }
        if (Output == OutputKind.Dense)
        {
            layout.Add(("head.weight", [OutputSize, h]));
            layout.Add(("head.bias", [OutputSize]));
        }
        return layout;
    }

    private static void Require(bool ok, string field, string why) => Validation.Require(ok, field, why);
}

// Z-score normalization per column, fitted on the training split only and stored with the model
// (as JSON), so prediction applies the same scaling to inputs and undoes it on the outputs.
using System.Text.Json.Serialization;
using MathNet.Numerics.Statistics;

namespace LstmService.Engine.Data;

/// <summary>
/// Per-column means and standard deviations: inputs become (x − mean) / std, and regression
/// targets too when <see cref="TargetMean"/> is set (null for class labels or unscaled targets).
/// Immutable; the constructor validates, since a stored normalizer is read back from files and databases.
/// </summary>
public sealed class Normalizer
{
    private readonly double[] _inputMean, _inputStd;
    private readonly double[]? _targetMean, _targetStd;

    /// <summary>
    /// Every std must be finite and positive, every mean finite; the target statistics are both
    /// null or both the same length.
    /// </summary>
    [JsonConstructor]
    public Normalizer(IReadOnlyList<double> inputMean, IReadOnlyList<double> inputStd,
        IReadOnlyList<double>? targetMean = null, IReadOnlyList<double>? targetStd = null)
    {
        (_inputMean, _inputStd) = Check(inputMean, inputStd, nameof(inputMean), nameof(inputStd));
        if (inputMean.Count == 0) throw new ArgumentException("There must be at least one input column.", nameof(inputMean));
        if ((targetMean is null) != (targetStd is null))
            throw new ArgumentException("Target mean and std must both be given or both be null.", targetMean is null ? nameof(targetMean) : nameof(targetStd));
        if (targetMean is not null)
        {
            (_targetMean, _targetStd) = Check(targetMean, targetStd!, nameof(targetMean), nameof(targetStd));
            if (targetMean.Count == 0) throw new ArgumentException("There must be at least one target column.", nameof(targetMean));
        }
    }

    public IReadOnlyList<double> InputMean => _inputMean;
    public IReadOnlyList<double> InputStd => _inputStd;
    public IReadOnlyList<double>? TargetMean => _targetMean;
    public IReadOnlyList<double>? TargetStd => _targetStd;

    /// <summary>
    /// Statistics over every step of every training sequence (and over every target row when
    /// <paramref name="normalizeTargets"/>). The std is the population std (divide by N, as
    /// scikit-learn's StandardScaler): it is the scale actually present in the data and is
    /// defined even for a single row. A column whose std is 0 or not finite gets std 1, so a
    /// constant feature becomes 0 instead of a division by zero.
    /// </summary>
    public static Normalizer Fit(IReadOnlyList<Sequence> training, bool normalizeTargets)
    {
        ArgumentNullException.ThrowIfNull(training);
        if (training.Count == 0) throw new ArgumentException("There are no training sequences to fit on.", nameof(training));
        int missing = training.ToList().FindIndex(s => s?.Inputs is null);
        if (missing >= 0) throw new ArgumentException($"Training sequence {missing} has no inputs.", nameof(training));
        var (inputMean, inputStd) = Columns(training.Select(s => s.Inputs), "inputs");
        if (!normalizeTargets) return new Normalizer(inputMean, inputStd);
        if (training.Any(s => s.Targets is null))
            throw new ArgumentException("Targets cannot be normalized: some training sequences have none (class labels are never normalized).", nameof(training));
        var (targetMean, targetStd) = Columns(training.Select(s => s.Targets!), "targets");
        return new Normalizer(inputMean, inputStd, targetMean, targetStd);
    }

    /// <summary>A new sequence with normalized inputs (and targets, if this normalizes them); labels are shared, untouched.</summary>
    public Sequence Apply(Sequence sequence)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        return sequence with
        {
            Inputs = NormalizeInputs(sequence.Inputs),
            Targets = sequence.Targets is null || _targetMean is null ? sequence.Targets : NormalizeTargets(sequence.Targets),
        };
    }

    public IReadOnlyList<Sequence> Apply(IReadOnlyList<Sequence> sequences)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        return sequences.Select(Apply).ToArray();
    }

    public double[][] NormalizeInputs(double[][] rows) => Transform(rows, _inputMean, _inputStd, inverse: false, nameof(rows));

    /// <summary>Throws <see cref="InvalidOperationException"/> if this normalizer leaves targets alone.</summary>
    public double[][] NormalizeTargets(double[][] rows) =>
        Transform(rows, _targetMean ?? throw NoTargets(), _targetStd!, inverse: false, nameof(rows));

    /// <summary>
    /// Model outputs back in target units: y·std + mean per column. Returns a copy of the rows
    /// unchanged when targets are not normalized (class probabilities, unscaled regression), so
    /// callers can always pass predictions through here.
    /// </summary>
    public double[][] DenormalizeOutputs(double[][] rows)
    {
        if (_targetMean is null)
        {
            ArgumentNullException.ThrowIfNull(rows);
            return rows.Select(r => (double[])r.Clone()).ToArray();
        }
        return Transform(rows, _targetMean, _targetStd!, inverse: true, nameof(rows));
    }

    private static double[][] Transform(double[][] rows, double[] mean, double[] std, bool inverse, string name)
    {
        ArgumentNullException.ThrowIfNull(rows, name);
        var result = new double[rows.Length][];
        for (int t = 0; t < rows.Length; t++)
        {
            var row = rows[t];
            if (row is null || row.Length != mean.Length)
                throw new ArgumentException($"{name}[{t}] has {row?.Length ?? 0} values; the normalizer has {mean.Length} columns.", name);
            var output = result[t] = new double[row.Length];
            for (int j = 0; j < row.Length; j++)
                output[j] = inverse ? row[j] * std[j] + mean[j] : (row[j] - mean[j]) / std[j];
        }
        return result;
    }

    private static (double[] Mean, double[] Std) Columns(IEnumerable<double[][]> blocks, string name)
    {
        RunningStatistics[]? columns = null;
        int n = 0;
        foreach (var rows in blocks)
        {
            if (rows is null || rows.Length == 0) throw new ArgumentException($"training[{n}].{name} is empty.", "training");
            for (int t = 0; t < rows.Length; t++)
            {
                var row = rows[t];
                if (row is null || row.Length == 0) throw new ArgumentException($"training[{n}].{name}[{t}] is empty.", "training");
                columns ??= Enumerable.Range(0, row.Length).Select(_ => new RunningStatistics()).ToArray();
                if (row.Length != columns.Length)
                    throw new ArgumentException($"training[{n}].{name}[{t}] has {row.Length} values; expected {columns.Length}, as in the first row.", "training");
                for (int j = 0; j < row.Length; j++)
                {
                    // One NaN would silently turn the whole column's statistics into NaN.
                    if (!double.IsFinite(row[j])) throw new ArgumentException($"training[{n}].{name}[{t}] contains {row[j]}; values must be finite.", "training");
                    columns[j].Push(row[j]);
                }
            }
            n++;
        }
        var mean = columns!.Select(c => c.Mean).ToArray();
        var std = columns!.Select(c => c.PopulationStandardDeviation is var s && double.IsFinite(s) && s > 0 ? s : 1.0).ToArray();
        return (mean, std);
    }

    private static (double[], double[]) Check(IReadOnlyList<double> mean, IReadOnlyList<double> std, string meanName, string stdName)
    {
        ArgumentNullException.ThrowIfNull(mean, meanName);
        ArgumentNullException.ThrowIfNull(std, stdName);
        if (mean.Count != std.Count)
            throw new ArgumentException($"{meanName} has {mean.Count} columns but {stdName} has {std.Count}.", stdName);
        for (int j = 0; j < mean.Count; j++)
        {
            if (!double.IsFinite(mean[j])) throw new ArgumentException($"{meanName}[{j}] = {mean[j]} is not finite.", meanName);
            if (!double.IsFinite(std[j]) || std[j] <= 0) throw new ArgumentException($"{stdName}[{j}] = {std[j]} must be finite and positive.", stdName);
        }
        return (mean.ToArray(), std.ToArray());
    }

    private static InvalidOperationException NoTargets() => new("This normalizer does not normalize targets.");
}

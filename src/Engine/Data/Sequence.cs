// One training or prediction example as callers hold it: plain double arrays, any length.
namespace LstmService.Engine.Data;

/// <summary>
/// A sequence of input vectors <c>Inputs</c> [T][X] with its targets: <c>Targets</c> holds one
/// row per step ([T][Y], for <see cref="OutputSteps.All"/>) or a single row ([1][Y], for
/// <see cref="OutputSteps.Last"/>); for cross-entropy, <c>Labels</c> holds class indices the same
/// way (T of them, or one). Prediction needs only the inputs.
/// </summary>
public sealed record Sequence(double[][] Inputs, double[][]? Targets = null, int[]? Labels = null)
{
    public int Length => Inputs.Length;

    /// <summary>
    /// Throws <see cref="ArgumentException"/> naming the first sequence and field that does not
    /// fit <paramref name="spec"/>: empty or ragged inputs, wrong widths, NaN or infinity, missing
    /// or misplaced targets, labels out of range.
    /// </summary>
    public static void Validate(IReadOnlyList<Sequence> sequences, ModelSpec spec, bool requireTargets)
    {
        if (sequences.Count == 0) throw new ArgumentException("There are no sequences.", nameof(sequences));
        for (int n = 0; n < sequences.Count; n++)
        {
            var s = sequences[n];
            string at = $"sequences[{n}]";
            if (s is null) throw new ArgumentException($"{at} is null.", nameof(sequences));
            if (s.Inputs is null || s.Inputs.Length == 0) throw new ArgumentException($"{at}.inputs is empty.", nameof(sequences));
            CheckRows(s.Inputs, spec.InputSize, $"{at}.inputs");
            if (!requireTargets) continue;
            int expected = spec.Steps == OutputSteps.All ? s.Length : 1;
            string where = spec.Steps == OutputSteps.All ? $"one per step ({s.Length})" : "one, after the last step";
            if (spec.Loss == LossKind.CrossEntropy)
            {
                if (s.Labels is null || s.Labels.Length != expected)
                    throw new ArgumentException($"{at}.labels must have {where}.", nameof(sequences));
                for (int t = 0; t < s.Labels.Length; t++)
                    if ((uint)s.Labels[t] >= (uint)spec.OutputSize)
                        throw new ArgumentException($"{at}.labels[{t}] = {s.Labels[t]} is not a class in [0, {spec.OutputSize}).", nameof(sequences));
            }
            else
            {
                if (s.Targets is null || s.Targets.Length != expected)
                    throw new ArgumentException($"{at}.targets must have {where}.", nameof(sequences));
                CheckRows(s.Targets, spec.OutputSize, $"{at}.targets");
            }
        }
    }

    private static void CheckRows(double[][] rows, int width, string name)
    {
        for (int t = 0; t < rows.Length; t++)
        {
            if (rows[t] is null || rows[t].Length != width)
                throw new ArgumentException($"{name}[{t}] has {rows[t]?.Length ?? 0} values; expected {width}.", "sequences");
            foreach (double v in rows[t])
                if (!double.IsFinite(v)) throw new ArgumentException($"{name}[{t}] contains {v}; values must be finite.", "sequences");
        }
    }
}

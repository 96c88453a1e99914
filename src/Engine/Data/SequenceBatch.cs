// Sequences of different lengths packed into one time-major, zero-padded batch with a loss mask:
// steps past a sequence's end are computed but never reach the loss, so their gradient is
// exactly zero and they cannot change the result; they only cost time.
using System.Numerics;

namespace LstmService.Engine.Data;

internal sealed class SequenceBatch<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public required int Batch { get; init; }
    public required int Steps { get; init; }
    /// <summary>Each sequence's length; its last real step is Lengths[b] − 1.</summary>
    public required int[] Lengths { get; init; }
    /// <summary>[T, B, X], zero past each sequence's end.</summary>
    public required T[] Inputs { get; init; }
    /// <summary>Regression targets: [T, B, Y] for all-step outputs, [B, Y] for last-step; null without targets.</summary>
    public T[]? Targets { get; init; }
    /// <summary>Class labels: [T, B] or [B]; −1 where padded.</summary>
    public int[]? Labels { get; init; }

    public static SequenceBatch<T> Create(IReadOnlyList<Sequence> sequences, ReadOnlySpan<int> indices, ModelSpec spec, bool withTargets)
    {
        int batch = indices.Length, x = spec.InputSize, y = spec.OutputSize;
        var lengths = new int[batch];
        int steps = 0;
        for (int b = 0; b < batch; b++) steps = Math.Max(steps, lengths[b] = sequences[indices[b]].Length);

        var inputs = new T[steps * batch * x];
        bool all = spec.Steps == OutputSteps.All;
        bool labels = withTargets && spec.Loss == LossKind.CrossEntropy;
        bool targets = withTargets && !labels;
        var targetBuffer = targets ? new T[(all ? steps : 1) * batch * y] : null;
        var labelBuffer = labels ? new int[(all ? steps : 1) * batch] : null;
        labelBuffer?.AsSpan().Fill(-1);

        for (int b = 0; b < batch; b++)
        {
            var s = sequences[indices[b]];
            for (int t = 0; t < s.Length; t++)
                Copy(s.Inputs[t], inputs.AsSpan((t * batch + b) * x, x));
            if (targets)
                for (int t = 0; t < s.Targets!.Length; t++)
                    Copy(s.Targets[t], targetBuffer.AsSpan((t * batch + b) * y, y));
            if (labels)
                for (int t = 0; t < s.Labels!.Length; t++)
                    labelBuffer![t * batch + b] = s.Labels[t];
        }
        return new SequenceBatch<T> { Batch = batch, Steps = steps, Lengths = lengths, Inputs = inputs, Targets = targetBuffer, Labels = labelBuffer };
    }

    private static void Copy(double[] from, Span<T> to)
    {
        for (int i = 0; i < from.Length; i++)
        {
            // A finite double can still overflow float32: refuse it rather than compute with ∞.
            to[i] = T.CreateChecked(from[i]);
            if (!T.IsFinite(to[i])) throw new ArgumentException($"The value {from[i]:R} (after normalization) is beyond the range of {(typeof(T) == typeof(float) ? "float32" : "float64")}; use a float64 model or rescale the data.", "sequences");
        }
    }
}

// The training losses and their gradients with respect to the outputs. Positions past a
// sequence's end are masked out: they add nothing to the loss and get a zero gradient.
using System.Numerics;
using LstmService.Engine.Data;

namespace LstmService.Engine.Layers;

internal static class LossFunction
{
    /// <summary>
    /// The mean loss over the batch's valid positions (accumulated in double), and its gradient
    /// with respect to <paramref name="outputs"/> [rows, width] written to <paramref name="dOutputs"/>.
    /// </summary>
    public static double Evaluate<T>(ModelSpec spec, SequenceBatch<T> batch, ReadOnlySpan<T> outputs, int rows, Span<T> dOutputs)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = spec.OutputSize;
        bool all = spec.Steps == OutputSteps.All;
        int valid = 0;
        for (int r = 0; r < rows; r++)
            if (IsValid(batch, all, r)) valid++;
        dOutputs[..(rows * width)].Clear();
        double sum = 0;

        if (spec.Loss == LossKind.MeanSquaredError)
        {
            // L = Σ (y − target)² / (valid rows · width);  ∂L/∂y = 2 (y − target) / n
            var targets = batch.Targets!;
            T scale = T.CreateChecked(2.0 / ((double)valid * width));
            for (int r = 0; r < rows; r++)
            {
                if (!IsValid(batch, all, r)) continue;
                for (int j = 0; j < width; j++)
                {
                    T diff = outputs[r * width + j] - targets[r * width + j];
                    sum += double.CreateChecked(diff * diff);
                    dOutputs[r * width + j] = scale * diff;
                }
            }
            return sum / ((double)valid * width);
        }

        // Softmax cross-entropy: L = −mean log softmax(y)[label];  ∂L/∂y = (softmax(y) − onehot) / n.
        // The max is subtracted first so exp never overflows.
        var labels = batch.Labels!;
        T inverse = T.One / T.CreateChecked(valid);
        for (int r = 0; r < rows; r++)
        {
            int label = labels[r];
            if (label < 0) continue;
            var z = outputs.Slice(r * width, width);
            var d = dOutputs.Slice(r * width, width);
            T max = z[0];
            for (int j = 1; j < width; j++) max = T.Max(max, z[j]);
            T total = T.Zero;
            for (int j = 0; j < width; j++) total += d[j] = T.Exp(z[j] - max);
            for (int j = 0; j < width; j++) d[j] = d[j] / total * inverse;
            d[label] -= inverse;
            sum -= double.CreateChecked(z[label] - max - T.Log(total));
        }
        return sum / valid;
    }

    // Row r of [T·B] (all steps) is step r / B of sequence r % B; last-step rows are all real.
    private static bool IsValid<T>(SequenceBatch<T> batch, bool all, int r) where T : unmanaged, IFloatingPointIeee754<T>
        => !all || r / batch.Batch < batch.Lengths[r % batch.Batch];
}

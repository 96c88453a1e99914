// LstmReference is the oracle: first it is checked against central differences (it is the gradient
// of its own forward pass), then the fast layer is held to it on every path it has. Those paths:
// batch 1 (an unsplit time loop), the loop split by batch rows over one or two threads, inputs
// narrower than a packed panel (dW_ih transposed), hidden sizes on and off the 16-wide fused rows,
// float32, both cells, and both backward variants.
using System.Numerics;
using LstmService.Engine.Layers;
using LstmService.Engine.Training;

namespace LstmService.Engine.Tests;

public class LstmReferenceTests
{
    private sealed record Case(int Steps, int Batch, int Inputs, int Hidden, double[] X, double[] WIh, double[] WHh, double[] BIh, double[] BHh, double[] DH);

    private static Case Random(int steps, int batch, int inputs, int hidden, int seed = 7)
    {
        var rng = new Rng((ulong)seed);
        double[] Values(int n, double scale) => [.. Enumerable.Range(0, n).Select(_ => rng.NextUniform(-scale, scale))];
        double w = 1 / Math.Sqrt(hidden);
        return new(steps, batch, inputs, hidden, Values(steps * batch * inputs, 1), Values(4 * hidden * inputs, w), Values(4 * hidden * hidden, w),
            Values(4 * hidden, w), Values(4 * hidden, w), Values(steps * batch * hidden, 1));
    }

    private static LstmReference.Trace Forward(Case k, CellKind cell) =>
        LstmReference.Forward(k.X, k.Steps, k.Batch, k.Inputs, k.Hidden, k.WIh, k.WHh, k.BIh, k.BHh, cell);

    private static LstmReference.Gradients Backward(Case k, CellKind cell, CellGradient variant = CellGradient.Full) =>
        LstmReference.Backward(k.X, k.Steps, k.Batch, k.Inputs, k.Hidden, k.WIh, k.WHh, Forward(k, cell), k.DH, cell, variant);

    [Theory]
    [InlineData(CellKind.Standard)]
    [InlineData(CellKind.Seed)]
    public void The_reference_backward_is_the_gradient_of_its_forward(CellKind cell)
    {
        // L = Σ dH ⊙ h, so ∂L/∂h_t = dH: each gradient against central differences of L.
        var k = Random(steps: 4, batch: 2, inputs: 3, hidden: 5);
        var gradients = Backward(k, cell);
        double Loss() => Forward(k, cell).H.Zip(k.DH, (h, d) => h * d).Sum();
        foreach (var (values, gradient) in new[] { (k.WIh, gradients.DWih), (k.WHh, gradients.DWhh), (k.BIh, gradients.DBih), (k.BHh, gradients.DBhh), (k.X, gradients.DX) })
            for (int n = 0; n < values.Length; n++)
            {
                double kept = values[n], step = 1e-6;
                values[n] = kept + step; double up = Loss();
                values[n] = kept - step; double down = Loss();
                values[n] = kept;
                Assert.Equal((up - down) / (2 * step), gradient[n], 1e-8);
            }
    }

    [Fact]
    public void The_truncated_variant_is_not_the_gradient()
    {
        var k = Random(steps: 4, batch: 2, inputs: 3, hidden: 5);
        var full = Backward(k, CellKind.Seed);
        var truncated = Backward(k, CellKind.Seed, CellGradient.Truncated);
        Assert.True(full.DWhh.Zip(truncated.DWhh, (a, b) => Math.Abs(a - b)).Max() > 1e-3);
    }

    // Steps, batch, inputs, hidden: batch 1 runs the loop unsplit; 5 and 13 rows of H 64 split it
    // by rows (uneven blocks); 40 inputs fill a packed panel (3 and 7 do not); H 20 is off the
    // 16-wide fused float rows.
    public static TheoryData<CellKind, int, int, int, int> Shapes() => new()
    {
        { CellKind.Standard, 5, 1, 3, 8 },
        { CellKind.Seed, 5, 1, 3, 8 },
        { CellKind.Standard, 6, 5, 3, 64 },
        { CellKind.Seed, 6, 5, 3, 64 },
        { CellKind.Standard, 4, 13, 40, 64 },
        { CellKind.Standard, 3, 2, 7, 20 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void The_fast_layer_in_float64_matches_the_reference(CellKind cell, int steps, int batch, int inputs, int hidden)
    {
        var k = Random(steps, batch, inputs, hidden);
        var expected = Backward(k, cell);
        var trace = Forward(k, cell);
        foreach (int threads in new[] { 1, 2 })
            foreach (var variant in new[] { CellGradient.Full, CellGradient.Truncated })
            {
                var (h, c, gradients) = FastLayer<double>(k, cell, variant, threads);
                var wanted = variant == CellGradient.Full ? expected : Backward(k, cell, variant);
                AssertClose(trace.H, h, 1e-12);
                AssertClose(trace.C, c, 1e-12);
                AssertClose(wanted.DWih, gradients.DWih, 1e-11);
                AssertClose(wanted.DWhh, gradients.DWhh, 1e-11);
                AssertClose(wanted.DBih, gradients.DBih, 1e-11);
                AssertClose(wanted.DBhh, gradients.DBhh, 1e-11);
                AssertClose(wanted.DX, gradients.DX, 1e-11);
            }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void The_fast_layer_in_float32_matches_the_reference_to_float_precision(CellKind cell, int steps, int batch, int inputs, int hidden)
    {
        var k = Random(steps, batch, inputs, hidden);
        var expected = Backward(k, cell);
        var trace = Forward(k, cell);
        var (h, c, gradients) = FastLayer<float>(k, cell, CellGradient.Full, threads: 2);
        AssertClose(trace.H, h, 2e-6);
        AssertClose(trace.C, c, 2e-6);
        AssertClose(expected.DWih, gradients.DWih, 1e-4);
        AssertClose(expected.DWhh, gradients.DWhh, 1e-4);
        AssertClose(expected.DX, gradients.DX, 1e-4);
    }

    // The engine's layer on the case's weights and input: its h and c, and its gradients for dH.
    private static (double[] H, double[] C, LstmReference.Gradients Gradients) FastLayer<T>(Case k, CellKind cell, CellGradient variant, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var compute = FixedThreads.Context(threads);
        var network = new LstmNetwork<T>(new ModelSpec { InputSize = k.Inputs, HiddenSize = k.Hidden, OutputSize = 1, Steps = OutputSteps.All, Cell = cell }, compute);
        var parameters = network.Parameters;
        void Set(string name, double[] values) { var to = parameters.ValuesOf(name); for (int n = 0; n < values.Length; n++) to[n] = T.CreateChecked(values[n]); }
        Set("lstm.weight_ih_l0", k.WIh); Set("lstm.weight_hh_l0", k.WHh); Set("lstm.bias_ih_l0", k.BIh); Set("lstm.bias_hh_l0", k.BHh);
        T[] Cast(double[] values) => [.. values.Select(T.CreateChecked)];
        double[] Back(ReadOnlySpan<T> values) { var to = new double[values.Length]; for (int n = 0; n < to.Length; n++) to[n] = double.CreateChecked(values[n]); return to; }

        var layer = network.Layers[0];
        var dX = new T[k.X.Length];
        layer.Forward(Cast(k.X), k.Steps, k.Batch);
        parameters.Gradients.AsSpan().Clear();
        layer.Backward(Cast(k.DH), dX, variant);
        int rows = k.Steps * k.Batch * k.Hidden;
        return (Back(layer.Hidden.AsSpan(0, rows)), Back(layer.Cells.AsSpan(0, rows)), new LstmReference.Gradients(
            Back(parameters.GradientsOf("lstm.weight_ih_l0")), Back(parameters.GradientsOf("lstm.weight_hh_l0")),
            Back(parameters.GradientsOf("lstm.bias_ih_l0")), Back(parameters.GradientsOf("lstm.bias_hh_l0")), Back(dX)));
    }

    // Each value within tolerance · (1 + the largest magnitude expected), so tiny values are not held to relative precision.
    private static void AssertClose(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = 1 + expected.Max(Math.Abs);
        for (int n = 0; n < expected.Length; n++)
            Assert.True(Math.Abs(expected[n] - actual[n]) <= tolerance * scale, $"[{n}]: expected {expected[n]:R}, got {actual[n]:R}");
    }
}

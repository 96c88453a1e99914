// The fused forward row computes the gates' nonlinearities in registers with TensorPrimitives'
// formulas; these tests hold it to the span-wide TensorPrimitives calls it replaced: the same bits
// where a whole vector covers the element, within a couple of ulps in a row's scalar tail.
using System.Numerics.Tensors;
using LstmService.Engine.Layers;
using LstmService.Engine.Training;

namespace LstmService.Engine.Tests;

public class CellMathTests
{
    [Theory]
    [InlineData(64, true, true)]
    [InlineData(64, false, true)]
    [InlineData(64, true, false)]
    [InlineData(100, true, true)]   // the seed example's width: 4 elements past the last vector
    [InlineData(3, true, true)]     // narrower than a vector: all scalar
    public void Forward_row_matches_TensorPrimitives_span_calls(int h, bool standard, bool hasPrev)
    {
        var rng = new Rng((ulong)h);
        // Pre-activations well past the saturation points, and the cell state from before.
        var gate = Enumerable.Range(0, 4 * h).Select(_ => (float)rng.NextUniform(-12, 12)).ToArray();
        var cPrev = hasPrev ? Enumerable.Range(0, h).Select(_ => (float)rng.NextUniform(-3, 3)).ToArray() : [];

        var expectedGate = (float[])gate.Clone();
        TensorPrimitives.Sigmoid(expectedGate.AsSpan(0, 2 * h), expectedGate.AsSpan(0, 2 * h));
        TensorPrimitives.Tanh(expectedGate.AsSpan(2 * h, h), expectedGate.AsSpan(2 * h, h));
        TensorPrimitives.Sigmoid(expectedGate.AsSpan(3 * h, h), expectedGate.AsSpan(3 * h, h));
        var ig = new float[h];
        TensorPrimitives.Multiply(expectedGate.AsSpan(0, h), expectedGate.AsSpan(2 * h, h), ig);
        var expectedC = new float[h];
        if (hasPrev) TensorPrimitives.FusedMultiplyAdd(expectedGate.AsSpan(h, h), cPrev, ig, expectedC);
        else ig.CopyTo(expectedC, 0);
        var expectedTanhC = new float[h];
        TensorPrimitives.Tanh(expectedC, expectedTanhC);
        var expectedH = new float[h];
        TensorPrimitives.Multiply(expectedGate.AsSpan(3 * h, h), standard ? expectedTanhC : expectedC, expectedH);

        var c = new float[h];
        var tanhC = standard ? new float[h] : [];
        var hidden = new float[h];
        CellMath<float>.ForwardRow(gate, cPrev, c, tanhC, hidden);

        int vectorized = h / 16 * 16;
        void Check(float[] expected, float[] actual, int stride = 0)
        {
            for (int j = 0; j < actual.Length; j++)
            {
                if (j % (stride == 0 ? actual.Length : stride) < vectorized) Assert.Equal(expected[j], actual[j]);
                else Assert.Equal(expected[j], actual[j], 1e-6f);
            }
        }
        Check(expectedGate, gate, h);
        Check(expectedC, c);
        Check(expectedH, hidden);
        if (standard) Check(expectedTanhC, tanhC);
    }
}

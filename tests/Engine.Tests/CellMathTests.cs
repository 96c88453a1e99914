// A step's row forward in one fused pass (float32, whole vectors) against the span calls it
// replaced, which every other element type and hidden size still runs: the same bits for c, h,
// and, when kept for Backward, the activated gates and tanh(c).
using LstmService.Engine.Layers;
using LstmService.Engine.Training;

namespace LstmService.Engine.Tests;

public class CellMathTests
{
    [Theory]
    [InlineData(16, true, true)]
    [InlineData(48, true, false)]
    [InlineData(64, false, true)]
    [InlineData(32, false, false)]
    public void The_fused_row_gives_the_bits_of_the_span_calls(int h, bool standard, bool hasPrev)
    {
        var rng = new Rng((ulong)(h * 4 + (standard ? 2 : 0) + (hasPrev ? 1 : 0)));
        // Pre-activations wide enough to reach both tails of σ and tanh, and exactly zero once.
        float[] Random(int n, double scale) => Enumerable.Range(0, n).Select(_ => (float)rng.NextUniform(-scale, scale)).ToArray();
        var gates = Random(4 * h, 12);
        gates[5] = 0;
        var cPrev = hasPrev ? Random(h, 3) : [];

        var (spanGates, spanC, spanTanh, spanH) = ((float[])gates.Clone(), new float[h], new float[h], new float[h]);
        CellMath<float>.RowBySpans(spanGates, cPrev, spanC, spanTanh, spanH, standard);

        var (keptGates, keptC, keptTanh, keptH) = ((float[])gates.Clone(), new float[h], new float[h], new float[h]);
        CellMath<float>.ForwardRow(keptGates, cPrev, keptC, keptTanh, keptH, standard, keep: true);
        Assert.Equal(Bits(spanGates), Bits(keptGates));
        Assert.Equal(Bits(spanC), Bits(keptC));
        Assert.Equal(Bits(spanH), Bits(keptH));
        if (standard) Assert.Equal(Bits(spanTanh), Bits(keptTanh));

        var (predictedGates, predictedC, predictedH) = ((float[])gates.Clone(), new float[h], new float[h]);
        CellMath<float>.ForwardRow(predictedGates, cPrev, predictedC, [], predictedH, standard, keep: false);
        Assert.Equal(Bits(spanC), Bits(predictedC));
        Assert.Equal(Bits(spanH), Bits(predictedH));
        Assert.Equal(Bits(gates), Bits(predictedGates));   // nothing kept: the pre-activations are left as they were
    }

    // Bit patterns, so that −0 and +0 (tanh(±0) gives ∓0) count as different.
    private static int[] Bits(float[] values) => [.. values.Select(BitConverter.SingleToInt32Bits)];
}

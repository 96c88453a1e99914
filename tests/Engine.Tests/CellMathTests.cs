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
        Assert.Equal(spanGates, keptGates);
        Assert.Equal(spanC, keptC);
        Assert.Equal(spanH, keptH);
        if (standard) Assert.Equal(spanTanh, keptTanh);

        var (predictedGates, predictedC, predictedH) = ((float[])gates.Clone(), new float[h], new float[h]);
        CellMath<float>.ForwardRow(predictedGates, cPrev, predictedC, [], predictedH, standard, keep: false);
        Assert.Equal(spanC, predictedC);
        Assert.Equal(spanH, predictedH);
        Assert.Equal(gates, predictedGates);   // nothing kept: the pre-activations are left as they were
    }
}

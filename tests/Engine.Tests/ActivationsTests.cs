// The float32 sigmoid and tanh (their own float exp) against the exact functions in float64, and
// against TensorPrimitives' float32 functions they replace: no less accurate on a dense grid,
// special values kept, any span length and in place.
using System.Numerics.Tensors;
using LstmService.Engine.Layers;
using Xunit.Abstractions;

namespace LstmService.Engine.Tests;

public class ActivationsTests(ITestOutputHelper output)
{
    // Every 1/4096 over [−24, 24]: past both functions' saturation, and dense around 0.
    private static readonly float[] Grid = Enumerable.Range(-24 * 4096, 48 * 4096 + 1).Select(i => i / 4096f).ToArray();

    [Theory]
    [InlineData("sigmoid")]
    [InlineData("tanh")]
    public void As_accurate_as_TensorPrimitives(string function)
    {
        var ours = new float[Grid.Length];
        var theirs = new float[Grid.Length];
        Func<double, double> exact;
        if (function == "sigmoid")
        {
            Activations<float>.Sigmoid(Grid, ours);
            TensorPrimitives.Sigmoid(Grid, theirs);
            exact = x => 1 / (1 + Math.Exp(-x));
        }
        else
        {
            Activations<float>.Tanh(Grid, ours);
            TensorPrimitives.Tanh(Grid, theirs);
            exact = Math.Tanh;
        }
        AssertAsAccurate(ours, theirs, exact);
    }

    // Both errors in units of the float spacing at the exact value (at least that of 2⁻²⁴, so a
    // value near zero is held to an absolute error like every other in [−1, 1]).
    private void AssertAsAccurate(float[] ours, float[] theirs, Func<double, double> exact)
    {
        double worstOurs = 0, worstTheirs = 0;
        for (int i = 0; i < Grid.Length; i++)
        {
            double e = exact(Grid[i]);
            double unit = Math.Max(Math.Abs(double.BitIncrement((float)e) - (float)e), Math.Pow(2, -24));
            worstOurs = Math.Max(worstOurs, Math.Abs(ours[i] - e) / unit);
            worstTheirs = Math.Max(worstTheirs, Math.Abs(theirs[i] - e) / unit);
        }
        output.WriteLine($"worst error {worstOurs:F2} units, TensorPrimitives' {worstTheirs:F2}");
        Assert.True(worstOurs <= Math.Max(2, worstTheirs), $"worst error {worstOurs:F2} units against TensorPrimitives' {worstTheirs:F2}");
    }

    [Fact]
    public void Special_values_saturate_and_NaN_stays_NaN()
    {
        float[] x = [0f, -0f, 1e-30f, -1e-30f, 100f, -100f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, 88.5f, -88.5f, 1000f, -1000f, 3f, -3f, 0.5f];
        var sigmoid = new float[x.Length];
        var tanh = new float[x.Length];
        Activations<float>.Sigmoid(x, sigmoid);
        Activations<float>.Tanh(x, tanh);
        Assert.Equal(0.5f, sigmoid[0]);
        Assert.Equal(0f, tanh[0]);
        Assert.Equal(0f, tanh[2], 1e-7f);                      // e^(−2|x|) − 1 rounds to 0 there, as in TensorPrimitives
        Assert.Equal(0.5f, sigmoid[3]);
        Assert.Equal(1f, sigmoid[4]);
        Assert.Equal(0f, sigmoid[5]);
        Assert.Equal(1f, tanh[4]);
        Assert.Equal(-1f, tanh[5]);
        Assert.Equal(1f, sigmoid[6]);
        Assert.Equal(0f, sigmoid[7]);
        Assert.Equal(1f, tanh[6]);
        Assert.Equal(-1f, tanh[7]);
        Assert.True(float.IsNaN(sigmoid[8]));
        Assert.True(float.IsNaN(tanh[8]));
    }

    [Theory]
    [InlineData(16)]
    [InlineData(17)]    // one vector and one lane past it
    [InlineData(63)]    // three vectors and a partial one, computed from the end
    [InlineData(64)]
    [InlineData(200)]
    [InlineData(5)]     // shorter than a vector: TensorPrimitives' own
    public void Any_length_in_place_gives_what_a_separate_destination_gets(int length)
    {
        var x = Enumerable.Range(0, length).Select(i => (i - length / 2) * 0.37f).ToArray();
        var expected = new float[length];
        Activations<float>.Tanh(x, expected);
        for (int i = 0; i < length; i++) Assert.Equal(Math.Tanh(x[i]), expected[i], 1e-6);
        Activations<float>.Tanh(x, x);
        Assert.Equal(expected, x);
    }
}

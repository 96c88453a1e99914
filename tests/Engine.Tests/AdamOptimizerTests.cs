// Adam runs as one pass over the parameters; these tests hold it to torch.optim.Adam's update
// written as the span-wide TensorPrimitives calls it replaced, bit for bit, over several steps.
using System.Numerics;
using System.Numerics.Tensors;
using LstmService.Engine.Training;

namespace LstmService.Engine.Tests;

public class AdamOptimizerTests
{
    [Fact]
    public void One_pass_gives_the_bits_of_the_span_calls_in_float32() => Check<float>();

    [Fact]
    public void One_pass_gives_the_bits_of_the_span_calls_in_float64() => Check<double>();

    private static void Check<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int n = 1003;   // not a multiple of a vector: the scalar tail too
        var rng = new Rng(5);
        T[] Random(double scale) => Enumerable.Range(0, n).Select(_ => T.CreateChecked(scale * rng.NextUniform(-1, 1))).ToArray();
        var values = Random(1);
        var expected = (T[])values.Clone();
        var (m, v, scratch) = (new T[n], new T[n], new T[n]);
        var adam = Optimizer<T>.Create(OptimizerKind.Adam, n, momentum: 0);
        for (int step = 1; step <= 4; step++)
        {
            var gradients = Random(step == 3 ? 1e-6 : 1);
            double lr = 1e-3 * step;
            adam.Step(values, gradients, lr);

            double correction1 = 1 - Math.Pow(0.9, step), correction2 = 1 - Math.Pow(0.999, step);
            TensorPrimitives.Multiply(m, T.CreateChecked(0.9), m);
            TensorPrimitives.MultiplyAdd(gradients, T.CreateChecked(1 - 0.9), m, m);
            TensorPrimitives.Multiply(v, T.CreateChecked(0.999), v);
            TensorPrimitives.Multiply(gradients, gradients, scratch);
            TensorPrimitives.MultiplyAdd(scratch, T.CreateChecked(1 - 0.999), v, v);
            TensorPrimitives.Sqrt(v, scratch);
            TensorPrimitives.Divide(scratch, T.CreateChecked(Math.Sqrt(correction2)), scratch);
            TensorPrimitives.Add(scratch, T.CreateChecked(1e-8), scratch);
            TensorPrimitives.Divide(m, scratch, scratch);
            TensorPrimitives.MultiplyAdd(scratch, T.CreateChecked(-lr / correction1), expected, expected);

            Assert.Equal(expected, values);
            Assert.Equal(m, adam.State[0]);
            Assert.Equal(v, adam.State[1]);
        }
    }

    [Fact]
    public void A_gradient_of_another_length_is_refused()
    {
        var adam = Optimizer<float>.Create(OptimizerKind.Adam, 4, momentum: 0);
        Assert.Throws<ArgumentException>(() => adam.Step(new float[4], new float[3], 1e-3));
    }
}

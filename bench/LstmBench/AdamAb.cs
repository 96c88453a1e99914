// The Adam step on B3's parameter count, one pass (the engine's AdamOptimizer) against the ten
// span-wide TensorPrimitives calls it replaced, alternating in one process. Timing only: both
// sides update the same arrays, and the span calls use round constants (AdamOptimizerTests holds
// the two to the same bits). Usage: LstmBench adam-ab
using System.Diagnostics;
using System.Numerics.Tensors;
using LstmService.Engine.Training;

namespace LstmService.Bench;

internal static class AdamAb
{
    public static void Run()
    {
        const int n = 856_321;   // B3: 4·256·(64 + 256 + 2) + 4·256·(256 + 256 + 2) + the head's 257
        var values = Harness.RandomFloats(n, 1);
        var gradients = Harness.RandomFloats(n, 2);
        var (m, v, scratch) = (new float[n], new float[n], new float[n]);
        var adam = Optimizer<float>.Create(OptimizerKind.Adam, n, momentum: 0);
        void SpanCalls()
        {
            TensorPrimitives.Multiply(m, 0.9f, m);
            TensorPrimitives.MultiplyAdd(gradients, 0.1f, m, m);
            TensorPrimitives.Multiply(v, 0.999f, v);
            TensorPrimitives.Multiply(gradients, gradients, scratch);
            TensorPrimitives.MultiplyAdd(scratch, 0.001f, v, v);
            TensorPrimitives.Sqrt(v, scratch);
            TensorPrimitives.Divide(scratch, 0.5f, scratch);
            TensorPrimitives.Add(scratch, 1e-8f, scratch);
            TensorPrimitives.Divide(m, scratch, scratch);
            TensorPrimitives.MultiplyAdd(scratch, -1e-3f, values, values);
        }
        void OnePass() => adam.Step(values, gradients, 1e-3);
        for (int round = 1; round <= 5; round++)
        {
            double before = Microseconds(SpanCalls), after = Microseconds(OnePass);
            Console.WriteLine($"round {round}: span calls {before:F0} µs, one pass {after:F0} µs: {before / after:F2}x");
        }
    }

    private static double Microseconds(Action step)
    {
        step();
        var clock = Stopwatch.StartNew();
        int count = 0;
        while (clock.Elapsed.TotalSeconds < 0.5) { step(); count++; }
        return clock.Elapsed.TotalMicroseconds / count;
    }
}

// The machine's fused multiply-add throughput: 12 independent Vector512 accumulators per thread
// (enough to hide the FMA latency), one thread per core. The ceiling the kernel is judged against.
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LstmService.Bench;

internal static class FmaPeak
{
    public static BenchResult Measure(int repetitions = 5)
    {
        string before = Harness.LoadAverage();
        var rates = new List<double>();
        int threads = Environment.ProcessorCount;
        for (int r = -1; r < repetitions; r++) // r = −1 warms up
        {
            const long iterations = 200_000_000;
            var clock = Stopwatch.StartNew();
            var sums = new float[threads];
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t => sums[t] = Loop(iterations, 1f + t * 1e-7f));
            double seconds = clock.Elapsed.TotalSeconds;
            // 12 accumulators × 16 lanes × 2 flops per iteration, per thread.
            if (r >= 0) rates.Add(threads * iterations * 12.0 * Vector512<float>.Count * 2 / seconds / 1e9);
            if (sums.Sum() == 42) Console.WriteLine(); // keep the result alive
        }
        rates.Sort();
        return new BenchResult("machine", "FMA peak", "GFLOP/s", rates[rates.Count / 2], rates[0], rates[^1], repetitions, null, before, Harness.LoadAverage());
    }

    // Locals only: a static field written after the loop can push the accumulators to the stack.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Loop(long iterations, float seed)
    {
        var m = Vector512.Create(0.999999f);
        var a = Vector512.Create(seed * 1e-3f);
        Vector512<float> c0 = Vector512.Create(seed), c1 = c0 + a, c2 = c1 + a, c3 = c2 + a, c4 = c3 + a, c5 = c4 + a,
            c6 = c5 + a, c7 = c6 + a, c8 = c7 + a, c9 = c8 + a, c10 = c9 + a, c11 = c10 + a;
        for (long i = 0; i < iterations; i++)
        {
            c0 = Vector512.FusedMultiplyAdd(c0, m, a); c1 = Vector512.FusedMultiplyAdd(c1, m, a);
            c2 = Vector512.FusedMultiplyAdd(c2, m, a); c3 = Vector512.FusedMultiplyAdd(c3, m, a);
            c4 = Vector512.FusedMultiplyAdd(c4, m, a); c5 = Vector512.FusedMultiplyAdd(c5, m, a);
            c6 = Vector512.FusedMultiplyAdd(c6, m, a); c7 = Vector512.FusedMultiplyAdd(c7, m, a);
            c8 = Vector512.FusedMultiplyAdd(c8, m, a); c9 = Vector512.FusedMultiplyAdd(c9, m, a);
            c10 = Vector512.FusedMultiplyAdd(c10, m, a); c11 = Vector512.FusedMultiplyAdd(c11, m, a);
        }
        return Vector512.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }
}

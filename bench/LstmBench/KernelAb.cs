// The matrix kernel against the one issue 2 built (ReferenceMatMul), in one process, alternating,
// on the products the benchmark configurations run: robust to a machine shared with other work
// because both kernels see the same load. Also checks both give the same bits.
using System.Diagnostics;
using LstmService.Engine;
using LstmService.Engine.Kernels;

namespace LstmService.Bench;

internal static class KernelAb
{
    private sealed record Shape(string Name, int M, int N, int K, bool TransposedA, bool Prepacked);

    private static readonly Shape[] Shapes =
    [
        new("I1/B1 step [1,64]·[64,256]", 1, 256, 64, false, true),
        new("B2 step [32,64]·[64,256]", 32, 256, 64, false, true),
        new("I2 step [256,64]·[64,256]", 256, 256, 64, false, true),
        new("B3/I3 step [64,256]·[256,1024]", 64, 1024, 256, false, true),
        new("B3/I3 half-batch step [32,256]·[256,1024]", 32, 1024, 256, false, true), // one thread's rows of the time loop
        new("B3 back step [64,1024]·[1024,256]", 64, 256, 1024, false, true),
        new("B3 input proj [4096,256]·[256,1024]", 4096, 1024, 256, false, false),
        new("B3 dW_hh [1024,4032]ᵀ·[4032,256]", 1024, 256, 4032, true, false),
        new("B3 layer 1 dW_ih [1024,4096]ᵀ·[4096,64]", 1024, 64, 4096, true, false),
        new("B3 dInput [4096,1024]·[1024,256]", 4096, 256, 1024, false, false),
    ];

    public static void Run(int rounds, int threads)
    {
        ReferenceMatMul.MaxThreads = threads;
        using var compute = new ComputeContext(threads);
        Console.WriteLine($"load {Harness.LoadAverage()}; {threads} thread(s); {rounds} alternating rounds of ~0.3 s per kernel; µs per product (median round) and GFLOP/s; the best rounds show the least disturbed figures");
        foreach (var s in Shapes)
        {
            var a = Harness.RandomFloats(s.M * s.K, 1);
            var b = Harness.RandomFloats(s.K * s.N, 2);
            var cOld = Harness.RandomFloats(s.M * s.N, 3);
            var cNew = (float[])cOld.Clone();
            var aView = s.TransposedA ? MatrixView<float>.RowMajor(a, s.M).Transposed : MatrixView<float>.RowMajor(a, s.K);
            var bView = MatrixView<float>.RowMajor(b, s.N);
            var packed = new PackedMatrix<float>();
            packed.Pack(bView, s.K, s.N);
            Action old = () => ReferenceMatMul.Multiply(aView, bView, MatrixView<float>.RowMajor(cOld, s.N), s.M, s.N, s.K, accumulate: false);
            Action @new = s.Prepacked
                ? () => MatMul.Multiply(compute, aView, packed, MatrixView<float>.RowMajor(cNew, s.N), s.M, accumulate: false)
                : () => MatMul.Multiply(compute, aView, bView, MatrixView<float>.RowMajor(cNew, s.N), s.M, s.N, s.K, accumulate: false);
            old(); @new();
            bool same = cOld.AsSpan().SequenceEqual(cNew);
            var olds = new List<double>(); var news = new List<double>();
            for (int r = 0; r < rounds; r++) { olds.Add(Time(old)); news.Add(Time(@new)); }
            double o = Median(olds), n = Median(news), flops = 2.0 * s.M * s.N * s.K;
            Console.WriteLine($"{s.Name,-40} old {o,9:F2} µs {flops / o / 1e3,6:F1} GF/s | new {n,9:F2} µs {flops / n / 1e3,6:F1} GF/s | ×{o / n:F2}" +
                $" | best rounds ×{olds.Min() / news.Min():F2}, new {flops / news.Min() / 1e3:F1} GF/s | same bits: {same}");
        }
        Console.WriteLine($"load {Harness.LoadAverage()}");
    }

    private static double Time(Action product)
    {
        var clock = Stopwatch.StartNew();
        long count = 0;
        while (clock.Elapsed.TotalSeconds < 0.3) { product(); count++; }
        return clock.Elapsed.TotalMicroseconds / count;
    }

    private static double Median(List<double> xs) { xs.Sort(); return xs[xs.Count / 2]; }
}

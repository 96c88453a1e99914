// A forward pass for prediction (keepForBackward: false, as the service runs it) against one that
// keeps every step's activations for Backward, on the same network and batch in one process. The
// two alternate in short blocks, so both see the same machine state: on this shared machine the
// speed of both swung by 25% within a minute, and separate processes (bench/ab.sh) differed by
// ±10% on unchanged code. Usage: LstmBench prediction-ab <I1|I2|I3> [seconds]
using System.Diagnostics;

namespace LstmService.Bench;

internal static class PredictionAb
{
    public static void Run(string id, int seconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seconds, 1);
        var config = BenchConfig.All.SingleOrDefault(c => c.Id == id && c.Kind == BenchKind.Inference)
            ?? throw new ArgumentException($"prediction-ab takes I1, I2 or I3, not {id}.");
        var (network, batch) = EngineBench.Build(config);
        // One delegate and call site for both sides: two lambdas differed by 4% on I1 with the same argument.
        bool keep = true;
        Action forward = () => network.Forward(batch, keepForBackward: keep);
        for (int i = 0; i < 20; i++) forward();
        int perBlock = Math.Max(1, (int)(0.05 / (Seconds(forward, 5) / 5)));   // about 50 ms a block
        var ratios = new List<double>();
        double keptTotal = 0, predictedTotal = 0;
        var clock = Stopwatch.StartNew();
        for (int pair = 0; clock.Elapsed.TotalSeconds < seconds; pair++)
        {
            // Which goes first alternates, so that a drift within a pair favours neither.
            keep = pair % 2 == 0;
            double first = Seconds(forward, perBlock);
            keep = !keep;
            double second = Seconds(forward, perBlock);
            var (kept, predicted) = pair % 2 == 0 ? (first, second) : (second, first);
            keptTotal += kept;
            predictedTotal += predicted;
            ratios.Add(kept / predicted);
        }
        ratios.Sort();
        Console.WriteLine($"{id}: a forward for prediction is {keptTotal / predictedTotal:F3}x as fast over {ratios.Count} pairs of {perBlock} forwards " +
            $"(pair median {ratios[ratios.Count / 2]:F3}, middle half {ratios[ratios.Count / 4]:F3}–{ratios[3 * ratios.Count / 4]:F3}); " +
            $"{config.Batch * perBlock * ratios.Count / keptTotal:F0} sequences/s kept; load {Harness.LoadAverage()}");
    }

    private static double Seconds(Action forward, int count)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < count; i++) forward();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }
}

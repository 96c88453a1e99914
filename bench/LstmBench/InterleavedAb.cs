// Two ways of running one inference configuration, in one process, alternating in short blocks so
// that both see the same machine state: on this shared machine the speed of both swung by 25%
// within a minute, and separate processes (bench/ab.sh) differed by ±10% on unchanged code.
// - prediction-ab: a forward for prediction (keepForBackward: false, as the service runs it)
//   against one that keeps every step's activations for Backward, on the same network, its
//   weights final as a Predictor's (packed once, for both sides).
// - packing-ab: a network whose weights are final (a Predictor's: packed once) against one
//   that packs them at every forward, both built alike.
// Usage: LstmBench prediction-ab|packing-ab <I1|I2|I3> [seconds]
using System.Diagnostics;

namespace LstmService.Bench;

internal static class InterleavedAb
{
    public static void Run(string mode, string id, int seconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seconds, 1);
        var config = BenchConfig.All.SingleOrDefault(c => c.Id == id && c.Kind == BenchKind.Inference)
            ?? throw new ArgumentException($"{mode} takes I1, I2 or I3, not {id}.");
        var (network, batch) = EngineBench.Build(config);
        // One delegate and call site for both sides: two lambdas differed by 4% on I1 with the
        // same argument. `baseline` picks the side.
        bool baseline = true;
        Action forward;
        string faster;
        if (mode == "prediction-ab")
        {
            network.MarkWeightsFinal();
            forward = () => network.Forward(batch, keepForBackward: baseline);
            faster = "a forward for prediction";
        }
        else if (mode == "packing-ab")
        {
            var (final, _) = EngineBench.Build(config);
            final.MarkWeightsFinal();
            forward = () => (baseline ? network : final).Forward(batch, keepForBackward: false);
            faster = "weights packed once";
        }
        else throw new ArgumentException($"Unknown mode {mode}.");

        for (int i = 0; i < 20; i++) { baseline = i % 2 == 0; forward(); }
        int perBlock = Math.Max(1, (int)(0.05 / (Seconds(forward, 5) / 5)));   // about 50 ms a block
        var ratios = new List<double>();
        double baselineTotal = 0, changedTotal = 0;
        var clock = Stopwatch.StartNew();
        for (int pair = 0; clock.Elapsed.TotalSeconds < seconds; pair++)
        {
            // Which goes first alternates, so that a drift within a pair favours neither.
            baseline = pair % 2 == 0;
            double first = Seconds(forward, perBlock);
            baseline = !baseline;
            double second = Seconds(forward, perBlock);
            var (before, after) = pair % 2 == 0 ? (first, second) : (second, first);
            baselineTotal += before;
            changedTotal += after;
            ratios.Add(before / after);
        }
        ratios.Sort();
        Console.WriteLine($"{id}: {faster} is {baselineTotal / changedTotal:F3}x as fast over {ratios.Count} pairs of {perBlock} forwards " +
            $"(pair median {ratios[ratios.Count / 2]:F3}, middle half {ratios[ratios.Count / 4]:F3}–{ratios[3 * ratios.Count / 4]:F3}); " +
            $"{config.Batch * perBlock * ratios.Count / changedTotal:F0} sequences/s that way; load {Harness.LoadAverage()}");
    }

    private static double Seconds(Action forward, int count)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < count; i++) forward();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }
}

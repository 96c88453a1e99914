// How every benchmark here is timed: a warm-up, then at least 5 repetitions of at least 2 s each;
// the median, min and max of the repetitions are reported with the load average before and
// after, because a busy second core distorts 2-thread figures. One JSON line per configuration.
using System.Diagnostics;
using System.Text.Json;

namespace LstmService.Bench;

public sealed record BenchResult(string Engine, string Id, string Unit, double Median, double Min, double Max, int Repetitions, double? GflopsPerSecond, string LoadBefore, string LoadAfter);

public static class Harness
{
    public static BenchResult Run(string engine, BenchConfig config, Action iteration, int repetitions = 5, double seconds = 2)
    {
        string loadBefore = LoadAverage();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < 1) iteration(); // warm-up: JIT, tiering, caches
        var rates = new List<double>();
        for (int r = 0; r < repetitions; r++)
        {
            long count = 0;
            clock.Restart();
            while (clock.Elapsed.TotalSeconds < seconds) { iteration(); count++; }
            rates.Add(count / clock.Elapsed.TotalSeconds);
        }
        rates.Sort();
        var reported = rates.Select(config.Report).Order().ToList();
        double medianRate = rates[rates.Count / 2];
        double? gflops = config.Id == "B3" || config.Id == "I3" ? medianRate * config.Batch * config.FlopsPerSequence / 1e9 : null;
        return new BenchResult(engine, config.Id, config.Unit, reported[reported.Count / 2], reported[0], reported[^1], repetitions, gflops, loadBefore, LoadAverage());
    }

    public static void Print(BenchResult result) => Console.WriteLine(JsonSerializer.Serialize(result));

    /// <summary>The 1-minute load average from /proc/loadavg, or "?" elsewhere.</summary>
    public static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    /// <summary>Deterministic pseudo-random floats in [−1, 1) for inputs and targets (a fixed seed, no engine dependency).</summary>
    public static float[] RandomFloats(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }
}

// The comparison table: for each configuration, our median and the peer's, with min–max, the
// ratio oriented so that above 1 means we are faster, and each round's ratio (a round is ours then
// theirs, one after the other: the pair that saw the same machine). Then, for the configurations
// that count FLOPs, their share of the machine's FMA peak.
using System.Text.Json;

namespace LstmService.Bench;

internal static class Report
{
    private const string PeakId = "FMA peak";

    /// <summary>From compare.sh's files; peakFile adds the peak it measured before the rounds.</summary>
    public static void Print(string oursFile, string theirsFile, string? peakFile = null)
    {
        var ours = Read(oursFile);
        var theirs = Read(theirsFile);
        Console.WriteLine("| id | unit | ours (median, min–max) | TorchSharp (median, min–max) | ratio (ours faster when > 1) | per round |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var config in BenchConfig.All)
        {
            if (!ours.TryGetValue(config.Id, out var a) || !theirs.TryGetValue(config.Id, out var b)) continue;
            double Ratio(BenchResult x, BenchResult y) => config.HigherIsBetter ? x.Median / y.Median : y.Median / x.Median;
            var rounds = a.Zip(b, Ratio).Select(r => $"{r:F2}");
            Console.WriteLine($"| {config.Id} | {config.Unit} | {Format(Summary(a))} | {Format(Summary(b))} | {Ratio(Summary(a), Summary(b)):F2}× | {string.Join(", ", rounds)} |");
        }

        // The highest peak measured in the run: a figure taken while something else ran is lower,
        // and would make the share look larger than it is.
        var peaks = ours.GetValueOrDefault(PeakId, []).Concat(peakFile is null ? [] : Read(peakFile).GetValueOrDefault(PeakId, [])).ToList();
        if (peaks.Count == 0) return;
        double peak = peaks.Max(p => p.Median);
        Console.WriteLine();
        Console.WriteLine($"Share of the FMA peak, {peak:F0} GFLOP/s (the highest of the {peaks.Count} figures measured in this run: {string.Join(", ", peaks.Select(p => $"{p.Median:F0}"))}):");
        foreach (var config in BenchConfig.All)
        {
            if (!ours.TryGetValue(config.Id, out var a) || Summary(a).GflopsPerSecond is not { } median) continue;
            string Share(double? gflops) => $"{100 * gflops / peak:F0}%";
            string peer = theirs.TryGetValue(config.Id, out var b) && Summary(b).GflopsPerSecond is { } theirMedian
                ? $"; TorchSharp {Share(theirMedian)} ({theirMedian:F0} GFLOP/s), per round {string.Join(", ", b.Select(r => Share(r.GflopsPerSecond)))}" : "";
            Console.WriteLine($"- {config.Id}: ours {Share(median)} ({median:F0} GFLOP/s), per round {string.Join(", ", a.Select(r => Share(r.GflopsPerSecond)))}{peer}");
        }
    }

    private static string Format(BenchResult r) => $"{r.Median:G4} ({r.Min:G4}–{r.Max:G4}){(r.GflopsPerSecond is { } g ? $", {g:F0} GFLOP/s" : "")}";

    // The round with the median median, with min and max over all rounds.
    private static BenchResult Summary(List<BenchResult> rounds)
    {
        var sorted = rounds.OrderBy(r => r.Median).ToList();
        return sorted[sorted.Count / 2] with { Min = rounds.Min(r => r.Min), Max = rounds.Max(r => r.Max) };
    }

    // compare.sh appends alternate rounds to the same files: per id, its rounds in order.
    private static Dictionary<string, List<BenchResult>> Read(string file) =>
        File.ReadLines(file).Where(l => l.StartsWith('{')).Select(l => JsonSerializer.Deserialize<BenchResult>(l)!)
            .GroupBy(r => r.Id).ToDictionary(g => g.Key, g => g.ToList());
}

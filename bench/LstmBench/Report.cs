// The comparison table: for each configuration, our median and the peer's, with min–max, and the
// ratio oriented so that above 1 means we are faster.
using System.Text.Json;

namespace LstmService.Bench;

internal static class Report
{
    public static void Print(string oursFile, string theirsFile)
    {
        var ours = Read(oursFile);
        var theirs = Read(theirsFile);
        Console.WriteLine("| id | unit | ours (median, min–max) | TorchSharp (median, min–max) | ratio (ours faster when > 1) |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        foreach (var config in BenchConfig.All)
        {
            if (!ours.TryGetValue(config.Id, out var a) || !theirs.TryGetValue(config.Id, out var b)) continue;
            double ratio = config.HigherIsBetter ? a.Median / b.Median : b.Median / a.Median;
            Console.WriteLine($"| {config.Id} | {config.Unit} | {Format(a)} | {Format(b)} | {ratio:F2}× |");
        }
    }

    private static string Format(BenchResult r) => $"{r.Median:G4} ({r.Min:G4}–{r.Max:G4}){(r.GflopsPerSecond is { } g ? $", {g:F0} GFLOP/s" : "")}";

    // compare.sh appends alternate rounds to the same files: per id, the round with the median
    // median, with min and max over all rounds.
    private static Dictionary<string, BenchResult> Read(string file) =>
        File.ReadLines(file).Where(l => l.StartsWith('{')).Select(l => JsonSerializer.Deserialize<BenchResult>(l)!)
            .GroupBy(r => r.Id).ToDictionary(g => g.Key, g =>
            {
                var rounds = g.OrderBy(r => r.Median).ToList();
                return rounds[rounds.Count / 2] with { Min = rounds.Min(r => r.Min), Max = rounds.Max(r => r.Max) };
            });
}

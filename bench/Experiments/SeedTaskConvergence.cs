// The blog's own benchmark: the seed example's toy task (fit h_t[0] to T targets, 100 plain SGD
// steps at the seed's learning rate 0.1 on its summed loss), full against truncated, on
// example_0 and on 20 random settings for T = 4 and T = 12 drawn as the seed draws them.
using LstmService.Engine;
using LstmService.Engine.Data;
using LstmService.Engine.Layers;
using LstmService.Engine.Tests;
using LstmService.Engine.Training;

namespace LstmService.Experiments;

internal static class SeedTaskConvergence
{
    private const int Iterations = 100;

    public static void Run()
    {
        Console.WriteLine("### The seed's toy task: loss (seed units, summed over steps) after 100 SGD updates at lr 0.1\n");
        var example = Train(SeedExampleTests.NetworkFromInitialWeights(), SeedExampleTests.Data(), CellGradient.Full);
        var exampleTruncated = Train(SeedExampleTests.NetworkFromInitialWeights(), SeedExampleTests.Data(), CellGradient.Truncated);
        Console.WriteLine($"example_0: full {example.Final:E2} (first < 1e-3 at iteration {example.FirstBelow}), truncated {exampleTruncated.Final:E2} (iteration {exampleTruncated.FirstBelow})\n");

        Console.WriteLine("| T | settings | median final loss, full | median final loss, truncated | truncated lower | reached 1e-3 (full / truncated) | median iteration to 1e-3 (full / truncated) |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (int steps in new[] { 4, 12 })
        {
            var full = new List<Outcome>(); var truncated = new List<Outcome>();
            for (ulong seed = 1; seed <= 20; seed++)
            {
                full.Add(Train(RandomNetwork(seed, out var data, steps), data, CellGradient.Full));
                truncated.Add(Train(RandomNetwork(seed, out data, steps), data, CellGradient.Truncated));
            }
            int wins = full.Zip(truncated).Count(p => p.Second.Final < p.First.Final);
            Console.WriteLine($"| {steps} | 20 | {Median(full.Select(r => r.Final)):E2} | {Median(truncated.Select(r => r.Final)):E2} | {wins} of 20 " +
                $"| {full.Count(r => r.FirstBelow is not null)} / {truncated.Count(r => r.FirstBelow is not null)} " +
                $"| {MedianIteration(full)} / {MedianIteration(truncated)} |");
        }
        Console.WriteLine();
    }

    private sealed record Outcome(double Final, int? FirstBelow);

    // The seed's draws (uniform ±0.1 weights and biases, inputs in [0, 1), targets in ±0.5), from our RNG.
    private static LstmNetwork<double> RandomNetwork(ulong seed, out List<Sequence> data, int steps)
    {
        var network = new LstmNetwork<double>(SeedExampleTests.Spec);
        var rng = new Rng(seed);
        foreach (var name in new[] { "lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0" })
        {
            var values = network.Parameters.ValuesOf(name);
            for (int i = 0; i < values.Length; i++) values[i] = rng.NextUniform(-0.1, 0.1);
        }
        var inputs = Enumerable.Range(0, steps).Select(_ => Enumerable.Range(0, 50).Select(_ => rng.NextDouble()).ToArray()).ToArray();
        var targets = Enumerable.Range(0, steps).Select(_ => new[] { rng.NextDouble() - 0.5 }).ToArray();
        data = [new Sequence(inputs, targets)];
        return network;
    }

    private static Outcome Train(LstmNetwork<double> network, List<Sequence> data, CellGradient variant)
    {
        int steps = data[0].Length;
        var options = new TrainingOptions
        {
            Epochs = Iterations, BatchSize = 1, Optimizer = OptimizerKind.Sgd, LearningRate = 0.1 * steps, ClipNorm = null,
            Shuffle = false, CellGradient = variant, FrozenParameters = ["lstm.bias_hh_l0"],
        };
        var history = new Trainer<double>(network, options, data).Run().History;
        int first = history.ToList().FindIndex(e => e.TrainLoss * steps < 1e-3);
        return new Outcome(Trainer<double>.Evaluate(network, data) * steps, first < 0 ? null : first);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string MedianIteration(List<Outcome> runs)
    {
        var reached = runs.Where(r => r.FirstBelow is not null).Select(r => (double)r.FirstBelow!.Value).ToList();
        return reached.Count == 0 ? "–" : Median(reached).ToString("F1");
    }
}

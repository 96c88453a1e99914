// A fresh process training a configuration as the service does (the Trainer over shuffled
// batches, 40 a epoch), printing each epoch's wall time: how far from full speed the first
// epochs run while the JIT's tiers catch up. Compare runtime settings in separate processes.
using System.Diagnostics;
using LstmService.Engine.Data;
using LstmService.Engine.Training;

namespace LstmService.Bench;

internal static class ColdStart
{
    public static void Run(string id, int epochs)
    {
        var sinceStart = Stopwatch.StartNew();
        var config = BenchConfig.All.Single(c => c.Id == id);
        if (config.Kind != BenchKind.Training) throw new ArgumentException($"{id} is not a training configuration.");
        var (network, _) = EngineBench.Build(config);
        const int batches = 40;
        var inputs = Harness.RandomFloats(batches * config.Batch * config.Steps * config.Input, seed: 2);
        var targets = Harness.RandomFloats(batches * config.Batch * config.Outputs, seed: 3);
        var sequences = Enumerable.Range(0, batches * config.Batch).Select(n => new Sequence(
            [.. Enumerable.Range(0, config.Steps).Select(t => inputs.AsSpan((n * config.Steps + t) * config.Input, config.Input).ToArray().Select(v => (double)v).ToArray())],
            [targets.AsSpan(n * config.Outputs, config.Outputs).ToArray().Select(v => (double)v).ToArray()])).ToList();
        var options = new TrainingOptions { Epochs = epochs, BatchSize = config.Batch, LearningRate = config.LearningRate, Optimizer = config.Adam ? OptimizerKind.Adam : OptimizerKind.Sgd };
        var epoch = Stopwatch.StartNew();
        var seconds = new List<double>();
        new Trainer<float>(network, options, sequences)
        {
            EpochCompleted = _ => { seconds.Add(epoch.Elapsed.TotalSeconds); epoch.Restart(); },
        }.Run();
        Console.WriteLine($"{{\"id\":\"{id}\",\"toEnd\":{sinceStart.Elapsed.TotalSeconds:F3},\"epochs\":[{string.Join(",", seconds.Select(s => s.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)))}]}}");
    }
}

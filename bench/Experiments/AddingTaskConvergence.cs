// A task that needs long memory: the adding problem at T = 30 and T = 60, full against
// truncated, for both cells, over 5 seeds (data and initialization), in float32 with Adam.
using LstmService.Engine;
using LstmService.Engine.Layers;
using LstmService.Engine.Tests;
using LstmService.Engine.Training;

namespace LstmService.Experiments;

internal static class AddingTaskConvergence
{
    private const double Solved = 1.0 / 6 / 50; // 50× better than predicting the mean sum

    public static void Run()
    {
        var options = AddingProblem.Options;
        Console.WriteLine($"### The adding problem: best validation MSE in {options.Epochs} epochs (Adam lr {options.LearningRate}, batch {options.BatchSize}, hidden {AddingProblem.Spec.HiddenSize}, 2000 training sequences); the mean predictor scores 0.167, solved is < {Solved:F4}\n");
        Console.WriteLine("| T | cell | backward | solved | best validation MSE per seed 1–5 | first solved epoch per seed |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
        foreach (int steps in new[] { 30, 60 })
            foreach (var cell in new[] { CellKind.Standard, CellKind.Seed })
                foreach (var variant in new[] { CellGradient.Full, CellGradient.Truncated })
                {
                    var best = new List<double>(); var solvedAt = new List<string>();
                    for (ulong seed = 1; seed <= 5; seed++)
                    {
                        var (train, validation) = AddingProblem.Create(steps, trainCount: 2000, validationCount: 200, seed);
                        var network = new LstmNetwork<float>(AddingProblem.Spec with { Cell = cell });
                        network.Initialize(new Rng(seed), forgetGateBiasOne: true);
                        var result = new Trainer<float>(network, options with { CellGradient = variant, Seed = seed }, train, validation).Run();
                        best.Add(result.BestLoss);
                        var first = result.History.FirstOrDefault(e => e.ValidationLoss < Solved);
                        solvedAt.Add(first?.Epoch.ToString() ?? "–");
                    }
                    Console.WriteLine($"| {steps} | {cell} | {variant} | {best.Count(b => b < Solved)} of 5 | {string.Join(", ", best.Select(b => b.ToString("F4")))} | {string.Join(", ", solvedAt)} |");
                }
        Console.WriteLine();
    }
}

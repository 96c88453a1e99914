// The full and the truncated backward pass against central finite differences, for every one of
// the seed example's 60,400 parameters, with the seed cell and with the standard cell.
using LstmService.Engine;
using LstmService.Engine.Data;
using LstmService.Engine.Layers;
using LstmService.Engine.Tests;

namespace LstmService.Experiments;

internal static class GradientComparison
{
    public static void Run()
    {
        Console.WriteLine("### Gradient check at the seed example's initial weights (float64, central differences, eps 1e-5)\n");
        Console.WriteLine("| cell | backward | elements failing the check | max relative error (where abs(a) + abs(n) > 1e-4) | cosine to numeric | norm / numeric norm | wrong sign (where abs(n) > 1e-6) |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var cell in new[] { CellKind.Seed, CellKind.Standard })
        {
            var network = new LstmNetwork<double>(SeedExampleTests.Spec with { Cell = cell });
            SeedExampleTests.NetworkFromInitialWeights().Parameters.Values.CopyTo(network.Parameters.Values, 0);
            var batch = SequenceBatch<double>.Create(SeedExampleTests.Data(), [0], network.Spec, withTargets: true);
            var numeric = Numeric(network, batch);
            foreach (var variant in new[] { CellGradient.Full, CellGradient.Truncated })
            {
                network.Forward(batch);
                network.Backward(variant);
                var a = network.Parameters.Gradients;
                int failing = 0, wrongSign = 0;
                double worst = 0, dot = 0, na = 0, nn = 0;
                for (int i = 0; i < a.Length; i++)
                {
                    double n = numeric[i], scale = Math.Abs(a[i]) + Math.Abs(n), error = Math.Abs(a[i] - n);
                    if (scale > 1e-4 ? error / scale >= 1e-6 : error >= 1e-9) failing++;
                    if (scale > 1e-4) worst = Math.Max(worst, error / scale);
                    if (Math.Abs(n) > 1e-6 && Math.Sign(n) != Math.Sign(a[i])) wrongSign++;
                    dot += a[i] * n; na += a[i] * a[i]; nn += n * n;
                }
                Console.WriteLine($"| {cell} | {variant} | {failing:N0} of {a.Length:N0} | {worst:E1} | {dot / Math.Sqrt(na * nn):F4} | {Math.Sqrt(na / nn):F3} | {wrongSign:N0} |");
            }
        }
        Console.WriteLine();
    }

    private static double[] Numeric(LstmNetwork<double> network, SequenceBatch<double> batch)
    {
        var values = network.Parameters.Values;
        var numeric = new double[values.Length];
        const double eps = 1e-5;
        for (int k = 0; k < values.Length; k++)
        {
            double saved = values[k];
            values[k] = saved + eps; double plus = network.Forward(batch);
            values[k] = saved - eps; double minus = network.Forward(batch);
            values[k] = saved;
            numeric[k] = (plus - minus) / (2 * eps);
        }
        return numeric;
    }
}

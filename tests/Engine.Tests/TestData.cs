// Small random datasets for tests, built from a seed so every run sees the same numbers.
using LstmService.Engine.Data;
using LstmService.Engine.Training;

namespace LstmService.Engine.Tests;

internal static class TestData
{
    /// <summary>Sequences of the given lengths with random inputs and targets (or labels) shaped for <paramref name="spec"/>.</summary>
    public static List<Sequence> Random(ModelSpec spec, int[] lengths, ulong seed)
    {
        var rng = new Rng(seed);
        var list = new List<Sequence>();
        foreach (int length in lengths)
        {
            var inputs = Rows(rng, length, spec.InputSize);
            int targetRows = spec.Steps == OutputSteps.All ? length : 1;
            if (spec.Loss == LossKind.CrossEntropy)
                list.Add(new Sequence(inputs, Labels: Enumerable.Range(0, targetRows).Select(_ => rng.NextInt(spec.OutputSize)).ToArray()));
            else
                list.Add(new Sequence(inputs, Targets: Rows(rng, targetRows, spec.OutputSize)));
        }
        return list;
    }

    public static double[][] Rows(Rng rng, int rows, int width) =>
        Enumerable.Range(0, rows).Select(_ => Enumerable.Range(0, width).Select(_ => rng.NextUniform(-1, 1)).ToArray()).ToArray();
}

// The backward pass against central finite differences, in float64, for every parameter element
// of every tensor, over the combinations of cell, depth, head, output placement and loss, on
// batches whose sequences differ in length.
using LstmService.Engine.Data;
using LstmService.Engine.Layers;
using LstmService.Engine.Training;

namespace LstmService.Engine.Tests;

public class GradientCheckTests
{
    private static readonly int[] Lengths = [5, 2, 4];

    public static TheoryData<CellKind, int, OutputKind, OutputSteps, LossKind> Cases()
    {
        var data = new TheoryData<CellKind, int, OutputKind, OutputSteps, LossKind>();
        foreach (var cell in Enum.GetValues<CellKind>())
            foreach (int layers in new[] { 1, 3 })
                foreach (var output in Enum.GetValues<OutputKind>())
                    foreach (var steps in Enum.GetValues<OutputSteps>())
                        foreach (var loss in Enum.GetValues<LossKind>())
                            data.Add(cell, layers, output, steps, loss);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Full_gradient_matches_finite_differences(CellKind cell, int layers, OutputKind output, OutputSteps steps, LossKind loss)
    {
        var spec = new ModelSpec { InputSize = 3, HiddenSize = 4, Layers = layers, Cell = cell, Output = output, OutputSize = 3, Steps = steps, Loss = loss };
        var result = Check(spec, CellGradient.Full, dropoutSeed: null);
        Assert.True(result.Failures == 0, result.Describe());
    }

    [Fact]
    public void Dropout_between_layers_has_the_right_gradient_for_a_fixed_mask()
    {
        var spec = new ModelSpec { InputSize = 3, HiddenSize = 4, Layers = 2, Dropout = 0.3, OutputSize = 2 };
        var result = Check(spec, CellGradient.Full, dropoutSeed: 11);
        Assert.True(result.Failures == 0, result.Describe());
    }

    [Theory]
    [InlineData(CellKind.Standard)]
    [InlineData(CellKind.Seed)]
    public void Truncated_cell_gradient_is_not_the_gradient(CellKind cell)
    {
        var spec = new ModelSpec { InputSize = 3, HiddenSize = 4, Cell = cell, OutputSize = 2 };
        var result = Check(spec, CellGradient.Truncated, dropoutSeed: null);
        Assert.True(result.Failures > 0, "the truncated backward pass should disagree with finite differences");
        // It still differs only in the recurrent path: the head's gradient is exact.
        Assert.DoesNotContain(result.FailedTensors, name => name.StartsWith("head."));
    }

    internal sealed record CheckResult(int Checked, int Failures, double WorstRelative, string WorstAt, HashSet<string> FailedTensors)
    {
        public string Describe() => $"{Failures} of {Checked} elements failed; worst relative error {WorstRelative:E2} at {WorstAt}.";
    }

    /// <summary>
    /// Compares every analytic gradient element a with the central difference n:
    /// |a−n|/(|a|+|n|) below 1e-6 where |a|+|n| > 1e-4, |a−n| below 1e-9 elsewhere.
    /// </summary>
    internal static CheckResult Check(ModelSpec spec, CellGradient variant, ulong? dropoutSeed)
    {
        var network = new LstmNetwork<double>(spec);
        network.Initialize(new Rng(7));
        var data = TestData.Random(spec, Lengths, seed: 3);
        var batch = SequenceBatch<double>.Create(data, [0, 1, 2], spec, withTargets: true);
        double Loss() => network.Forward(batch, training: dropoutSeed is not null, rng: dropoutSeed is { } s ? new Rng(s) : null);

        Loss();
        network.Backward(variant);
        var analytic = (double[])network.Parameters.Gradients.Clone();
        var values = network.Parameters.Values;
        const double eps = 1e-5;
        int failures = 0, count = 0;
        double worst = 0;
        string worstAt = "";
        var failed = new HashSet<string>();
        foreach (var tensor in network.Parameters.Tensors)
            for (int i = 0; i < tensor.Length; i++)
            {
                int k = tensor.Offset + i;
                double saved = values[k];
                values[k] = saved + eps; double plus = Loss();
                values[k] = saved - eps; double minus = Loss();
                values[k] = saved;
                double numeric = (plus - minus) / (2 * eps), a = analytic[k];
                double scale = Math.Abs(a) + Math.Abs(numeric);
                bool ok = scale > 1e-4 ? Math.Abs(a - numeric) / scale < 1e-6 : Math.Abs(a - numeric) < 1e-9;
                double relative = scale > 0 ? Math.Abs(a - numeric) / scale : 0;
                count++;
                if (!ok) { failures++; failed.Add(tensor.Name); }
                if (scale > 1e-4 && relative > worst) { worst = relative; worstAt = $"{tensor.Name}[{i}]"; }
            }
        return new CheckResult(count, failures, worst, worstAt, failed);
    }
}

public class MaskingTests
{
    // The gradient checks cannot see a mask that counts padded positions (such a loss has its own
    // consistent gradient); this can: a padded batch's loss is the mean over real positions only.
    [Theory]
    [InlineData(LossKind.MeanSquaredError)]
    [InlineData(LossKind.CrossEntropy)]
    public void A_padded_batch_loss_is_the_length_weighted_mean_of_its_sequences_losses(LossKind loss)
    {
        var spec = new ModelSpec { InputSize = 3, HiddenSize = 4, Layers = 2, OutputSize = 3, Loss = loss };
        var network = new LstmNetwork<double>(spec);
        network.Initialize(new Rng(7));
        int[] lengths = [5, 2, 4];
        var data = TestData.Random(spec, lengths, seed: 3);
        double together = network.Forward(SequenceBatch<double>.Create(data, [0, 1, 2], spec, withTargets: true));
        double weighted = Enumerable.Range(0, 3).Sum(n => lengths[n] * network.Forward(SequenceBatch<double>.Create(data, [n], spec, withTargets: true)));
        Assert.Equal(weighted / lengths.Sum(), together, 1e-14);
    }
}

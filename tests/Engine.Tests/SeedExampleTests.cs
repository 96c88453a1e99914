// The numpy original's example_0 (shared/reference/seed): from its initial weights, 100 SGD
// iterations must reproduce its loss and predictions at every iteration, for the full backward
// pass and for the blog's truncated one. Its loss is a sum over the 4 steps and ours a mean, so
// its learning rate 0.1 is 0.4 here and its loss is 4× ours.
using System.Text.Json;
using LstmService.Engine.Data;
using LstmService.Engine.Layers;
using LstmService.Engine.Training;

namespace LstmService.Engine.Tests;

public class SeedExampleTests
{
    private static readonly JsonElement Example = Reference.Load("seed", "example0.json");
    private const int Steps = 4;

    internal static readonly ModelSpec Spec = new()
    {
        InputSize = 50, HiddenSize = 100, Cell = CellKind.Seed, Output = OutputKind.Hidden, OutputSize = 1, Steps = OutputSteps.All,
    };

    // Gate order i, f, g, o; the seed's W_k [H, X+H] acts on [x; h], so its first X columns are
    // weight_ih and the rest weight_hh. Its single bias goes to bias_ih; bias_hh stays zero.
    private static readonly string[] GateOrder = ["i", "f", "g", "o"];

    internal static LstmNetwork<double> NetworkFromInitialWeights()
    {
        var network = new LstmNetwork<double>(Spec);
        var init = Example.GetProperty("init");
        var p = network.Parameters;
        for (int gate = 0; gate < 4; gate++)
        {
            var w = Reference.Matrix(init.GetProperty("w" + GateOrder[gate]));
            var b = Reference.Flat(init.GetProperty("b" + GateOrder[gate]));
            for (int r = 0; r < 100; r++)
            {
                w[r].AsSpan(0, 50).CopyTo(p.ValuesOf("lstm.weight_ih_l0").Slice((gate * 100 + r) * 50, 50));
                w[r].AsSpan(50, 100).CopyTo(p.ValuesOf("lstm.weight_hh_l0").Slice((gate * 100 + r) * 100, 100));
            }
            b.CopyTo(p.ValuesOf("lstm.bias_ih_l0").Slice(gate * 100, 100));
        }
        return network;
    }

    internal static List<Sequence> Data()
    {
        var inputs = Reference.Matrix(Example.GetProperty("inputs"));
        var targets = Reference.Flat(Example.GetProperty("targets")).Select(y => new[] { y }).ToArray();
        return [new Sequence(inputs, targets)];
    }

    // The full run's loss turns back up at iteration 39 (lr 0.1 on the summed loss overshoots,
    // then recovers), and there any rounding difference grows about 8× per iteration: a 1e-15
    // perturbation of the initial weights moves our own trace by 2e-9 at iteration 40 and 1e-8
    // at 50 (Full_trace_is_ill_conditioned_after_iteration_38 below). No float64 code whose
    // rounding differs from numpy's can hold 1e-9 there, so past iteration 38 the full trace is
    // held to 5e-8: five times that measured conditioning. The truncated trace never overshoots
    // and is held to 1e-9 throughout.
    private static double Tolerance(CellGradient variant, int iteration) =>
        variant == CellGradient.Full && iteration > 38 ? 5e-8 : 1e-9;
    [Theory]
    [InlineData(CellGradient.Full, "full")]
    [InlineData(CellGradient.Truncated, "truncated")]
    public void Hundred_sgd_iterations_reproduce_the_reference_trace(CellGradient variant, string trace)
    {
        var expected = Example.GetProperty(trace);
        var expectedLoss = Reference.Flat(expected.GetProperty("loss"));
        var expectedPredictions = Reference.Matrix(expected.GetProperty("y_pred"));
        var network = NetworkFromInitialWeights();
        var batch = SequenceBatch<double>.Create(Data(), [0], Spec, withTargets: true);
        var sgd = new SgdOptimizer<double>(network.Parameters.Count, momentum: 0);

        for (int iteration = 0; iteration < 100; iteration++)
        {
            double loss = network.Forward(batch);
            double tolerance = Tolerance(variant, iteration);
            Reference.AssertClose([expectedLoss[iteration]], [Steps * loss], tolerance, $"{trace} loss at iteration {iteration}");
            // Predictions relative to the largest of the four, so one that passes near zero is judged by the vector's scale.
            Reference.AssertClose(expectedPredictions[iteration], network.Outputs.ToArray(), tolerance, $"{trace} y_pred at iteration {iteration}",
                floor: expectedPredictions[iteration].Max(Math.Abs));
            SeedSgdStep(network, sgd, variant);
        }
        double final = network.Forward(batch);
        Reference.AssertClose([expected.GetProperty("loss_after_100_updates").GetDouble()], [Steps * final], Tolerance(variant, 100), $"{trace} loss after 100 updates");
    }

    [Fact]
    public void Full_trace_is_ill_conditioned_after_iteration_38()
    {
        var exact = LossTrace(perturbation: 0);
        var perturbed = LossTrace(perturbation: 1e-15);
        double RelativeChange(int iteration) => Math.Abs(perturbed[iteration] - exact[iteration]) / exact[iteration];
        Assert.True(RelativeChange(30) < 1e-12, $"iteration 30 moved by {RelativeChange(30):E2}");
        Assert.True(RelativeChange(50) > 1e-9, $"iteration 50 moved by only {RelativeChange(50):E2}");
    }

    // Our own full-gradient loss trace, from the initial weights each scaled by (1 + perturbation·u), u uniform in ±1.
    private static double[] LossTrace(double perturbation)
    {
        var network = NetworkFromInitialWeights();
        var rng = new Rng(5);
        var values = network.Parameters.Values;
        for (int k = 0; k < values.Length; k++) values[k] *= 1 + perturbation * rng.NextUniform(-1, 1);
        var batch = SequenceBatch<double>.Create(Data(), [0], Spec, withTargets: true);
        var sgd = new SgdOptimizer<double>(network.Parameters.Count, momentum: 0);
        var losses = new double[100];
        for (int iteration = 0; iteration < 100; iteration++)
        {
            losses[iteration] = network.Forward(batch);
            SeedSgdStep(network, sgd, CellGradient.Full);
        }
        return losses;
    }

    private static void SeedSgdStep(LstmNetwork<double> network, SgdOptimizer<double> sgd, CellGradient variant)
    {
        network.Backward(variant);
        // The seed has one bias per gate; ours are two (PyTorch's layout). Holding bias_hh at
        // zero, as a frozen parameter, keeps the seed's single bias and its learning rate.
        network.Parameters.GradientsOf("lstm.bias_hh_l0").Clear();
        sgd.Step(network.Parameters.Values, network.Parameters.Gradients, 0.4);
    }

    [Theory]
    [InlineData(CellGradient.Full, "full")]
    [InlineData(CellGradient.Truncated, "truncated")]
    public void Iteration_zero_gradients_equal_the_reference(CellGradient variant, string trace)
    {
        var expected = Example.GetProperty(trace).GetProperty("grad_iter0");
        var network = NetworkFromInitialWeights();
        network.Forward(SequenceBatch<double>.Create(Data(), [0], Spec, withTargets: true));
        network.Backward(variant);
        var p = network.Parameters;
        for (int gate = 0; gate < 4; gate++)
        {
            var w = Reference.Matrix(expected.GetProperty("w" + GateOrder[gate]));
            var b = Reference.Flat(expected.GetProperty("b" + GateOrder[gate]));
            var ours = new double[100 * 150];
            for (int r = 0; r < 100; r++)
            {
                p.GradientsOf("lstm.weight_ih_l0").Slice((gate * 100 + r) * 50, 50).CopyTo(ours.AsSpan(r * 150, 50));
                p.GradientsOf("lstm.weight_hh_l0").Slice((gate * 100 + r) * 100, 100).CopyTo(ours.AsSpan(r * 150 + 50, 100));
            }
            // Our loss is the seed's divided by 4, and so is our gradient.
            Reference.AssertClose(w.SelectMany(row => row).ToArray(), ours.Select(g => Steps * g).ToArray(), 1e-9, $"d{GateOrder[gate]} weights", floor: 1e-9);
            Reference.AssertClose(b, p.GradientsOf("lstm.bias_ih_l0").Slice(gate * 100, 100).ToArray().Select(g => Steps * g).ToArray(), 1e-9, $"d{GateOrder[gate]} bias", floor: 1e-9);
            Reference.AssertClose(b, p.GradientsOf("lstm.bias_hh_l0").Slice(gate * 100, 100).ToArray().Select(g => Steps * g).ToArray(), 1e-9, $"d{GateOrder[gate]} bias_hh", floor: 1e-9);
        }
    }
}

// One iteration of a configuration on our engine: a training step (forward, backward, optimizer)
// or a forward pass, on a batch built once, in float32, with both cores.
using LstmService.Engine;
using LstmService.Engine.Data;
using LstmService.Engine.Layers;
using LstmService.Engine.Training;

namespace LstmService.Bench;

internal static class EngineBench
{
    public static Action Iteration(BenchConfig config)
    {
        var (network, batch) = Build(config);
        if (config.Kind != BenchKind.Training)
        {
            network.MarkWeightsFinal();   // as the service predicts: a Predictor's network, packed once
            return () => network.Forward(batch, keepForBackward: false);
        }

        var optimizer = Optimizer<float>.Create(config.Adam ? OptimizerKind.Adam : OptimizerKind.Sgd, network.Parameters.Count, momentum: 0);
        var rng = new Rng(4);
        return () =>
        {
            network.Forward(batch, training: true, rng);
            network.Backward();
            optimizer.Step(network.Parameters.Values, network.Parameters.Gradients, config.LearningRate);
        };
    }

    /// <summary>The configuration's network, initialized, and its batch (with targets for training).</summary>
    public static (LstmNetwork<float> Network, SequenceBatch<float> Batch) Build(BenchConfig config)
    {
        var spec = new ModelSpec
        {
            InputSize = config.Input, HiddenSize = config.Hidden, Layers = config.Layers, OutputSize = config.Outputs,
            Output = config.HiddenReadout ? OutputKind.Hidden : OutputKind.Dense,
            Steps = config.AllSteps ? OutputSteps.All : OutputSteps.Last,
        };
        var network = new LstmNetwork<float>(spec);
        network.Initialize(new Rng(1));
        var inputs = Harness.RandomFloats(config.Batch * config.Steps * config.Input, seed: 2);
        var targets = Harness.RandomFloats(config.Batch * (config.AllSteps ? config.Steps : 1) * config.Outputs, seed: 3);
        var sequences = Enumerable.Range(0, config.Batch).Select(b => new Sequence(
            Rows(inputs, b * config.Steps, config.Steps, config.Input),
            Rows(targets, b * (config.AllSteps ? config.Steps : 1), config.AllSteps ? config.Steps : 1, config.Outputs))).ToList();
        var batch = SequenceBatch<float>.Create(sequences, Enumerable.Range(0, config.Batch).ToArray(), spec, withTargets: config.Kind == BenchKind.Training);
        return (network, batch);
    }

    private static double[][] Rows(float[] values, int firstRow, int rows, int width) =>
        Enumerable.Range(firstRow, rows).Select(r => values.AsSpan(r * width, width).ToArray().Select(v => (double)v).ToArray()).ToArray();
}

// Inference: batched prediction equals one sequence at a time, whatever the lengths; a stateful
// session step by step equals the whole sequence at once; forecasts feed outputs back; the
// normalizer is applied in and out; classification gives probabilities.
using LstmService.Engine.Data;
using LstmService.Engine.Files;
using LstmService.Engine.Inference;
using LstmService.Engine.Layers;
using LstmService.Engine.Training;

namespace LstmService.Engine.Tests;

public class PredictorTests
{
    private static LstmNetwork<double> Network(ModelSpec spec)
    {
        var network = new LstmNetwork<double>(spec);
        network.Initialize(new Rng(21));
        return network;
    }

    private static readonly ModelSpec AllSteps = new() { InputSize = 2, HiddenSize = 6, Layers = 2, OutputSize = 2 };

    // What lets the service batch concurrent predictions: a sequence's outputs are the same bits
    // alone or in a batch, at the size of a served model (B2: 8 inputs, 64 hidden units, 48 steps),
    // where a batch of several rows takes other kernel paths than one row, split or not.
    [Fact]
    public void A_sequence_has_the_same_float32_bits_alone_or_in_a_batch()
    {
        var spec = new ModelSpec { InputSize = 8, HiddenSize = 64, OutputSize = 1, Steps = OutputSteps.Last };
        var network = new LstmNetwork<float>(spec);
        network.Initialize(new Rng(5));
        var predictor = new Predictor<float>(network);
        var inputs = TestData.Random(spec, [48, 48, 30, 48, 48, 12, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48], seed: 6).Select(s => s.Inputs).ToList();
        var together = predictor.Predict(inputs);
        for (int n = 0; n < inputs.Count; n++)
            Assert.Equal(BitConverter.DoubleToInt64Bits(predictor.Predict([inputs[n]])[0][0][0]), BitConverter.DoubleToInt64Bits(together[n][0][0]));
    }

    [Theory]
    [InlineData(OutputSteps.All)]
    [InlineData(OutputSteps.Last)]
    public void A_batch_of_different_lengths_predicts_as_each_sequence_alone(OutputSteps steps)
    {
        var spec = AllSteps with { Steps = steps };
        var predictor = new Predictor<double>(Network(spec));
        var inputs = TestData.Random(spec, [5, 1, 8, 3], seed: 4).Select(s => s.Inputs).ToList();
        var together = predictor.Predict(inputs);
        for (int n = 0; n < inputs.Count; n++)
        {
            var alone = predictor.Predict([inputs[n]])[0];
            Assert.Equal(steps == OutputSteps.All ? inputs[n].Length : 1, together[n].Length);
            for (int t = 0; t < alone.Length; t++)
                for (int j = 0; j < 2; j++)
                    Assert.Equal(alone[t][j], together[n][t][j], 1e-14);
        }
    }

    [Fact]
    public void A_stateful_session_step_by_step_equals_the_whole_sequence()
    {
        var predictor = new Predictor<double>(Network(AllSteps));
        var inputs = TestData.Random(AllSteps, [6], seed: 5)[0].Inputs;
        var whole = predictor.Predict([inputs])[0];
        var session = predictor.StartSession();
        for (int t = 0; t < inputs.Length; t++)
        {
            var output = session.Step(inputs[t]);
            Assert.Equal(whole[t][0], output[0], 1e-14);
            Assert.Equal(whole[t][1], output[1], 1e-14);
        }
    }

    [Fact]
    public void A_forecast_feeds_each_output_back_as_the_next_input()
    {
        var spec = AllSteps with { OutputSize = 2 };
        var normalizer = new Normalizer([10, -5], [2, 4], [10, -5], [2, 4]);
        var predictor = new Predictor<double>(Network(spec), normalizer);
        var history = new[] { new[] { 11.0, -4 }, [9.5, -6], [10.2, -5.5] };
        var forecast = predictor.Forecast(history, horizon: 4);

        // The same thing by hand: predict the history, then append each prediction and predict again.
        var sequence = history.ToList();
        for (int k = 0; k < 4; k++)
        {
            var next = predictor.Predict([sequence.ToArray()])[0][^1];
            Assert.Equal(next[0], forecast[k][0], 1e-12);
            Assert.Equal(next[1], forecast[k][1], 1e-12);
            sequence.Add(next);
        }
    }

    [Fact]
    public void The_normalizer_is_applied_to_inputs_and_undone_on_outputs()
    {
        var network = Network(AllSteps);
        var normalizer = new Normalizer([100, 0], [10, 0.5], [3, -1], [2, 7]);
        var inputs = new[] { new[] { 110.0, 0.25 }, [95, -0.5] };
        var raw = new Predictor<double>(network).Predict([[[1.0, 0.5], [-0.5, -1]]])[0];
        var scaled = new Predictor<double>(network, normalizer).Predict([inputs])[0];
        for (int t = 0; t < 2; t++)
        {
            Assert.Equal(raw[t][0] * 2 + 3, scaled[t][0], 1e-12);
            Assert.Equal(raw[t][1] * 7 - 1, scaled[t][1], 1e-12);
        }
    }

    [Fact]
    public void Classification_returns_probabilities()
    {
        var spec = new ModelSpec { InputSize = 2, HiddenSize = 4, OutputSize = 3, Loss = LossKind.CrossEntropy, Steps = OutputSteps.Last };
        var outputs = new Predictor<double>(Network(spec)).Predict([[[0.1, 0.2], [0.3, -0.4]]])[0];
        Assert.Single(outputs);
        Assert.Equal(1.0, outputs[0].Sum(), 1e-12);
        Assert.All(outputs[0], p => Assert.InRange(p, 0, 1));
    }

    [Fact]
    public void Bad_inputs_are_rejected_with_the_place_named()
    {
        var predictor = new Predictor<double>(Network(AllSteps));
        Assert.Contains("sequences[1].inputs[0] has 3 values; expected 2", Assert.Throws<ArgumentException>(() => predictor.Predict([[[1, 2]], [[1, 2, 3]]])).Message);
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => predictor.Predict([[[1, double.NaN]]])).Message);
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => predictor.Predict([[]])).Message);
        var classifier = new Predictor<double>(Network(AllSteps with { InputSize = 2, OutputSize = 3 }));
        Assert.Throws<InvalidOperationException>(() => classifier.Forecast([[1, 2]], 2));
    }

    [Fact]
    public void A_predictors_network_cannot_be_trained_or_changed()
    {
        var network = Network(AllSteps);
        var data = TestData.Random(AllSteps, [3, 3], seed: 5);
        var trainerFirst = new Trainer<double>(network, new TrainingOptions { Epochs = 1 }, data);
        _ = new Predictor<double>(network);
        Assert.True(network.WeightsFinal);
        Assert.Contains("final", Assert.Throws<InvalidOperationException>(() => new Trainer<double>(network, new TrainingOptions(), data)).Message);
        // A trainer made before the predictor fails at its first Backward, before any weight changes.
        var before = (double[])network.Parameters.Values.Clone();
        Assert.Throws<InvalidOperationException>(() => trainerFirst.Run());
        Assert.Equal(before, network.Parameters.Values);
        Assert.Throws<InvalidOperationException>(() => network.Initialize(new Rng(3)));
        Assert.Throws<InvalidOperationException>(() => ParameterTensors.Import(network.Parameters, ParameterTensors.Export(network.Parameters, "F64")));
    }
}

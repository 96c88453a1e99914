// The engine learns: a noisy sine forecast through the whole data pipeline (windows, time split,
// normalizer, trainer, predictor), and the adding problem, which needs memory across 30 steps.
using LstmService.Engine.Data;
using LstmService.Engine.Inference;
using LstmService.Engine.Layers;
using LstmService.Engine.Training;

namespace LstmService.Engine.Tests;

public class LearningTests
{
    [Fact]
    public void A_noisy_sine_forecast_reaches_validation_mse_below_001()
    {
        var rng = new Rng(12);
        var series = Enumerable.Range(0, 1200).Select(t => new[] { Math.Sin(2 * Math.PI * t / 25) + 0.05 * (rng.NextDouble() * 2 - 1) * Math.Sqrt(3) }).ToArray();
        // Split by time, so no validation window shares a step with a training window.
        var train = SlidingWindows.Create([series[..960]], window: 24, horizon: 1);
        var validation = SlidingWindows.Create([series[960..]], window: 24, horizon: 1);
        var normalizer = Normalizer.Fit(train, normalizeTargets: true);

        var spec = new ModelSpec { InputSize = 1, HiddenSize = 16, OutputSize = 1, Steps = OutputSteps.Last };
        var network = new LstmNetwork<float>(spec);
        network.Initialize(new Rng(1));
        var result = new Trainer<float>(network, new TrainingOptions { Epochs = 12, BatchSize = 32, LearningRate = 0.01 },
            normalizer.Apply(train), normalizer.Apply(validation)).Run();

        double mse = result.History[^1].ValidationLoss!.Value;
        Assert.True(mse < 0.01, $"validation MSE {mse:F4} (normalized units)");

        // The same model through the predictor, in the series' own units.
        var predictions = new Predictor<float>(network, normalizer).Predict(validation.Select(s => s.Inputs).ToList());
        double rawMse = predictions.Select((p, n) => Math.Pow(p[0][0] - validation[n].Targets![0][0], 2)).Average();
        Assert.Equal(mse * normalizer.TargetStd![0] * normalizer.TargetStd[0], rawMse, 1e-4);
    }

    [Fact]
    public void The_adding_problem_at_30_steps_is_solved_with_full_gradients()
    {
        var (train, validation) = AddingProblem.Create(steps: 30, trainCount: 2000, validationCount: 200, seed: 3);
        var network = new LstmNetwork<float>(AddingProblem.Spec);
        network.Initialize(new Rng(1), forgetGateBiasOne: true);
        var result = new Trainer<float>(network, AddingProblem.Options, train, validation).Run();
        // Predicting the mean sum (1) scores the variance of the sum, 1/6; solved is 50× better.
        Assert.True(result.BestLoss < 1.0 / 6 / 50, $"best validation MSE {result.BestLoss:F4} after {result.History.Count} epochs");
    }
}

// What window scaling is for, learnt on series whose answer is known: a trend continues past the
// training range (a z-scored LSTM cannot follow it there), and a season is forecast within its noise.
using LstmService.Engine.Data;
using LstmService.Engine.Forecasting;
using LstmService.Engine.Inference;
using LstmService.Engine.Layers;
using LstmService.Engine.Training;

namespace LstmService.Engine.Tests;

public class ForecastingLearningTests
{
    private const int Window = 12;

    [Fact]
    public void A_trend_extrapolates_beyond_the_training_range_with_window_scaling_and_not_with_a_zscore()
    {
        // 2 + 0.5·t with a little noise: training on t < 300, forecasting t in [400, 500), far above any training value.
        var rng = new Random(7);
        double[][] rows = [.. Enumerable.Range(0, 500).Select(t => new[] { 2 + 0.5 * t + 0.05 * (rng.NextDouble() - 0.5) })];
        double trendError = 0.5; // what a forecast that stops rising (the last value) is off by

        double zscored = TestRmse(rows, 300, windowModel: null);
        double lstmAlone = TestRmse(rows, 300, WindowModel.Fit([rows[..300]], [Windows(rows[..300])], [0], linear: false));
        double withLinear = TestRmse(rows, 300, WindowModel.Fit([rows[..300]], [Windows(rows[..300])], [0], linear: true));

        Assert.True(zscored > 20 * trendError, $"z-scored RMSE {zscored:G3}: its outputs should stay inside the training range");
        Assert.True(lstmAlone < 0.2 * trendError, $"window-scaled LSTM RMSE {lstmAlone:G3}");
        Assert.True(withLinear < 0.2 * trendError, $"window-scaled LSTM with its linear part RMSE {withLinear:G3}");
    }

    [Fact]
    public void A_season_is_forecast_within_its_noise()
    {
        // A 24-step cycle of amplitude 10 with uniform noise of σ = 0.29: the best one-step RMSE is about σ.
        var rng = new Random(9);
        double[][] rows = [.. Enumerable.Range(0, 1500).Select(t => new[] { 10 * Math.Sin(2 * Math.PI * t / 24) + (rng.NextDouble() - 0.5) })];
        double sigma = Math.Sqrt(1.0 / 12);
        double rmse = TestRmse(rows, 1000, WindowModel.Fit([rows[..1000]], [Windows(rows[..1000], 24)], [0], linear: true), window: 24);
        Assert.InRange(rmse, 0.8 * sigma, 1.5 * sigma);
    }

    [Fact]
    public void A_global_model_of_two_series_at_different_levels_beats_a_model_per_series_on_short_data()
    {
        // The same noisy 12-step cycle at two levels and sizes, 40 rows each: the last 12 of each are the test part,
        // and 16 training windows of 12 rows are few for a series alone.
        var rng = new Random(13);
        double[][] Cycle(double level, double size) =>
            [.. Enumerable.Range(0, 40).Select(t => new[] { level + size * (Math.Sin(2 * Math.PI * t / 12) + 0.3 * (rng.NextDouble() - 0.5)) })];
        double[][][] series = [Cycle(1000, 50), Cycle(3, 0.2)];
        double[][][] training = [.. series.Select(s => s[..28])];

        // Errors in each series' own size, so that both count alike.
        double[] sizes = [50, 0.2];
        double Error(double[][][] rows, WindowModel model, int s, LstmNetwork<double> network, Normalizer normalizer) =>
            ForecastRmse(rows[s], 28, model, s, network, normalizer) / sizes[s];

        var global = WindowModel.Fit(training, [.. training.Select(t => Windows(t))], [0], linear: true);
        var (network, normalizer) = Train([.. training.SelectMany((t, s) => Windows(t).Select(w => global.Apply(w, s)))]);
        double globalError = Error(series, global, 0, network, normalizer) + Error(series, global, 1, network, normalizer);

        double separateError = 0;
        for (int s = 0; s < 2; s++)
        {
            var own = WindowModel.Fit([training[s]], [Windows(training[s])], [0], linear: true);
            var (ownNetwork, ownNormalizer) = Train([.. Windows(training[s]).Select(w => own.Apply(w))]);
            separateError += ForecastRmse(series[s], 28, own, 0, ownNetwork, ownNormalizer) / sizes[s];
        }
        Assert.True(globalError < 0.9 * separateError, $"global {globalError:G3}, one model per series {separateError:G3} (RMSE over each series' size, summed)");
    }

    private static IReadOnlyList<Sequence> Windows(double[][] rows, int window = Window) => SlidingWindows.Create([rows], window, horizon: 1);

    private static (LstmNetwork<double>, Normalizer) Train(IReadOnlyList<Sequence> seen)
    {
        var normalizer = Normalizer.Fit(seen, normalizeTargets: true);
        var network = new LstmNetwork<double>(new ModelSpec { InputSize = 1, HiddenSize = 8, OutputSize = 1, Steps = OutputSteps.Last });
        network.Initialize(new Rng(1));
        new Trainer<double>(network, new TrainingOptions { Epochs = 30, BatchSize = 16, LearningRate = 0.01 }, normalizer.Apply(seen)).Run();
        return (network, normalizer);
    }

    // One-step RMSE from every origin at or after `from`, in the data's units.
    private static double ForecastRmse(double[][] rows, int from, WindowModel model, int series, LstmNetwork<double> network, Normalizer normalizer)
    {
        var predictor = new Predictor<double>(network, normalizer);
        var forecast = model.Around(w => [.. predictor.Predict(w).Select(o => o[0])], series);
        var origins = Enumerable.Range(from, rows.Length - from).ToArray();
        var outputs = forecast([.. origins.Select(r => rows[(r - Window)..r])]);
        return Math.Sqrt(origins.Select((r, i) => Math.Pow(outputs[i][0] - rows[r][0], 2)).Average());
    }

    // Trains a small LSTM on the first trainRows rows (z-scored when windowModel is null, else
    // through it) and returns its one-step RMSE over the last 100 rows, in the data's units.
    private static double TestRmse(double[][] rows, int trainRows, WindowModel? windowModel, int window = Window)
    {
        var train = Windows(rows[..trainRows], window);
        var seen = windowModel is null ? train : [.. train.Select(w => windowModel.Apply(w))];
        var normalizer = Normalizer.Fit(seen, normalizeTargets: true);
        var network = new LstmNetwork<double>(new ModelSpec { InputSize = 1, HiddenSize = 8, OutputSize = 1, Steps = OutputSteps.Last });
        network.Initialize(new Rng(1));
        new Trainer<double>(network, new TrainingOptions { Epochs = 30, BatchSize = 16, LearningRate = 0.01 }, normalizer.Apply(seen)).Run();

        var predictor = new Predictor<double>(network, normalizer);
        Func<IReadOnlyList<double[][]>, double[][]> lstm = w => [.. predictor.Predict(w).Select(o => o[0])];
        var forecast = windowModel?.Around(lstm) ?? lstm;
        var origins = Enumerable.Range(rows.Length - 100, 100).ToArray();
        var outputs = forecast([.. origins.Select(r => rows[(r - window)..r])]);
        return Math.Sqrt(origins.Select((r, i) => Math.Pow(outputs[i][0] - rows[r][0], 2)).Average());
    }
}

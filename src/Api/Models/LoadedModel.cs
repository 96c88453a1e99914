// A model ready to answer: its spec and labels, a series model's forecasting view and intervals,
// and a predictor in the precision it was stored in, behind a lock because a predictor reuses
// its network's buffers. Small predict requests that arrive together share one batched forward
// pass (PredictionBatcher).
using LstmService.Api.Infrastructure;
using LstmService.Engine;
using LstmService.Engine.Evaluation;
using LstmService.Engine.Files;
using LstmService.Engine.Inference;
using LstmService.Persistence;

namespace LstmService.Api.Models;

internal sealed class LoadedModel
{
    private readonly Lock _gate = new();
    // The last argument: the series (0 for a model of one series or of sequences).
    private readonly Func<IReadOnlyList<double[][]>, int, double[][][]> _predict;
    private readonly Func<double[][], int, int, double[][]> _forecast;

    private readonly ServingOptions _serving;
    private readonly PredictionBatcher _batcher;
    private readonly Training.TrainingCompute _training;   // jobs give way while this model computes

    private LoadedModel(ModelSpec spec, string[]? labels, Func<IReadOnlyList<double[][]>, int, double[][][]> predict, Func<double[][], int, int, double[][]> forecast,
        ServingOptions serving, Training.TrainingCompute training)
    {
        (Spec, Labels, _predict, _forecast, _serving, _training) = (spec, labels, predict, forecast, serving, training);
        _batcher = new PredictionBatcher(Predict, serving);
    }

    public ModelSpec Spec { get; }
    public string[]? Labels { get; }
    /// <summary>A series model's window, horizon, columns and targets; null for a model of sequences.</summary>
    public ForecastingView? Forecasting { get; private init; }
    /// <summary>A series model's calibrated interval half-widths; null without a validation part.</summary>
    public ConformalIntervals? Intervals { get; private init; }

    /// <summary>The stored model, ready to answer; while it computes, jobs give way to it (<paramref name="training"/>).</summary>
    public static LoadedModel Load(StoredModel stored, ServingOptions serving, Training.TrainingCompute training)
    {
        var contents = ModelFile.Read(stored.File);
        var labels = ApiJson.Read<string[]>(stored.LabelsJson);
        var forecasting = ApiJson.Read<ForecastingView>(stored.ForecastingJson);
        var intervals = ApiJson.Read<ConformalIntervals>(stored.IntervalsJson);
        if (stored.Precision == "float64")
        {
            var predictor = new Predictor<double>(contents.CreateNetwork<double>(), contents.Normalizer);
            return Create(contents.Spec, labels, forecasting, intervals, s => predictor.Predict(s), predictor.Forecast, serving, training);
        }
        var single = new Predictor<float>(contents.CreateNetwork<float>(), contents.Normalizer);
        return Create(contents.Spec, labels, forecasting, intervals, s => single.Predict(s), single.Forecast, serving, training);
    }

    // A series model reads windows in the data's units and forecasts from its last window (feeding
    // its forecasts back beyond its horizon); any other runs the whole history and feeds each
    // output back as the next input.
    private static LoadedModel Create(ModelSpec spec, string[]? labels, ForecastingView? forecasting, ConformalIntervals? intervals,
        Func<IReadOnlyList<double[][]>, double[][][]> predict, Func<double[][], int, double[][]> stateful, ServingOptions serving, Training.TrainingCompute training)
    {
        if (forecasting is not { } f) return new LoadedModel(spec, labels, (s, _) => predict(s), (history, steps, _) => stateful(history, steps), serving, training);
        Func<IReadOnlyList<double[][]>, double[][]> lstm = w => [.. predict(w).Select(o => o[0])];
        Func<IReadOnlyList<double[][]>, double[][]> Windows(int series) => f.WindowModel?.Around(lstm, series) ?? lstm;
        int[] targets = f.TargetColumns();
        return new LoadedModel(spec, labels, (w, series) => [.. Windows(series)(w).Select(o => new[] { o })],
            (history, steps, series) => WindowedForecast.Run([history], steps, f.Window, f.Horizon, targets, Windows(series))[0], serving, training) { Forecasting = f, Intervals = intervals };
    }

    /// <summary>Outputs for each sequence; a series model's sequences are windows of series <paramref name="series"/> (its index in <see cref="ForecastingView.Series"/>).</summary>
    public double[][][] Predict(IReadOnlyList<double[][]> sequences, int series = 0)
    {
        using var _ = _training.GiveWay();
        lock (_gate) return _predict(sequences, series);
    }

    /// <summary>
    /// <see cref="Predict"/> for a request: a small one joins the batch of other requests waiting
    /// for this model; a large one (over <see cref="ServingOptions.MaxBatchSequences"/>) runs alone.
    /// </summary>
    public Task<double[][][]> PredictAsync(IReadOnlyList<double[][]> sequences, int series = 0) =>
        _serving.MaxBatchSequences > 1 && sequences.Count <= _serving.MaxBatchSequences
            ? _batcher.PredictAsync(sequences, series)
            : Task.FromResult(Predict(sequences, series));

    /// <summary>Forward passes that have answered batched predict requests (fewer than the requests under load).</summary>
    public int BatchedForwardPasses => _batcher.ForwardPasses;

    /// <summary><paramref name="horizon"/> rows after <paramref name="history"/> (of series <paramref name="series"/>): [horizon][targets] for a series model, [horizon][outputs] otherwise.</summary>
    public double[][] Forecast(double[][] history, int horizon, int series = 0)
    {
        using var _ = _training.GiveWay();
        lock (_gate) return _forecast(history, horizon, series);
    }
}

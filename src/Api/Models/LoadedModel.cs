// A model ready to answer: its spec and labels, and a predictor in the precision it was stored
// in, behind a lock because a predictor reuses its network's buffers.
using System.Text.Json;
using LstmService.Api.Infrastructure;
using LstmService.Engine;
using LstmService.Engine.Files;
using LstmService.Engine.Inference;
using LstmService.Persistence;

namespace LstmService.Api.Models;

internal sealed class LoadedModel
{
    private readonly Lock _gate = new();
    private readonly Func<IReadOnlyList<double[][]>, double[][][]> _predict;
    private readonly Func<double[][], int, double[][]> _forecast;

    private LoadedModel(ModelSpec spec, string[]? labels, Func<IReadOnlyList<double[][]>, double[][][]> predict, Func<double[][], int, double[][]> forecast)
    {
        (Spec, Labels, _predict, _forecast) = (spec, labels, predict, forecast);
    }

    public ModelSpec Spec { get; }
    public string[]? Labels { get; }

    public static LoadedModel Load(StoredModel stored)
    {
        var contents = ModelFile.Read(stored.File);
        var labels = stored.LabelsJson is null ? null : JsonSerializer.Deserialize<string[]>(stored.LabelsJson, ApiJson.Options);
        if (stored.Precision == "float64")
        {
            var predictor = new Predictor<double>(contents.CreateNetwork<double>(), contents.Normalizer);
            return new LoadedModel(contents.Spec, labels, s => predictor.Predict(s), predictor.Forecast);
        }
        var single = new Predictor<float>(contents.CreateNetwork<float>(), contents.Normalizer);
        return new LoadedModel(contents.Spec, labels, s => single.Predict(s), single.Forecast);
    }

    public double[][][] Predict(IReadOnlyList<double[][]> sequences)
    {
        lock (_gate) return _predict(sequences);
    }

    public double[][] Forecast(double[][] history, int horizon)
    {
        lock (_gate) return _forecast(history, horizon);
    }
}

// How much computing a job asks for, in multiply-adds, so that one request cannot occupy the
// trainer for weeks (Limits:MaxWorkPerJob). An estimate from the shapes alone, before any training.
using LstmService.Engine;
using LstmService.Engine.Data;

namespace LstmService.Api.Jobs;

internal static class JobWork
{
    /// <summary>
    /// Multiply-adds of one step forward: per layer the gate products 4H·(X + H) (X the layer's
    /// input: the data's for the first, H above), then the head H·O.
    /// </summary>
    public static double PerStep(ModelSpec spec)
    {
        double h = spec.HiddenSize, layers = 0;
        for (int l = 0; l < spec.Layers; l++) layers += 4 * h * ((l == 0 ? spec.InputSize : h) + h);
        return layers + h * spec.OutputSize;
    }

    /// <summary>Epochs × every step of every sequence × one step forward and its backward (about twice the forward).</summary>
    public static double Estimate(ModelSpec spec, IReadOnlyList<Sequence> sequences, int epochs) =>
        (double)epochs * sequences.Sum(s => (long)s.Inputs.Length) * 3 * PerStep(spec);
}

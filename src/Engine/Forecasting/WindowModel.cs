// What surrounds the LSTM of a series model: each window is scaled (WindowScaling, one per
// series, so that series of any size read alike), a linear autoregression forecasts from it
// (LinearAutoregression, shared by every series), and the LSTM learns what that leaves, in the
// same scaled units. Forecasts are the sum, mapped back to the data's units.
using LstmService.Engine.Data;

namespace LstmService.Engine.Forecasting;

/// <summary>
/// Windows read every column; targets are horizon rows of <see cref="TargetColumns"/>, step-major
/// (as <see cref="SlidingWindows"/> lays them out). <see cref="Scalings"/> holds one scaling per
/// series, in the order the series were given. <see cref="Linear"/> null: the LSTM forecasts the
/// scaled targets alone.
/// </summary>
public sealed record WindowModel(int[] TargetColumns, IReadOnlyList<WindowScaling> Scalings, LinearAutoregression? Linear)
{
    /// <summary>
    /// One scaling per series fitted on its training rows (<paramref name="trainingRows"/>[s]) and,
    /// when <paramref name="linear"/>, the linear part on every series' training windows
    /// (<paramref name="trainingWindows"/>[s], with targets, in data units).
    /// </summary>
    public static WindowModel Fit(IReadOnlyList<double[][]> trainingRows, IReadOnlyList<IReadOnlyList<Sequence>> trainingWindows, int[] targetColumns, bool linear)
    {
        var model = new WindowModel(targetColumns, [.. trainingRows.Select(WindowScaling.Fit)], null);
        if (!linear) return model;
        var scaled = trainingWindows.SelectMany((windows, s) => windows.Select(w => model.ScaleWithTargets(w, s))).ToList();
        return model with { Linear = LinearAutoregression.Fit([.. scaled.Select(s => s.Inputs)], [.. scaled.Select(s => s.Targets![0])], targetColumns) };
    }

    /// <summary>A window of series <paramref name="series"/> as the LSTM trains on it: inputs scaled, targets scaled less the linear part's forecast.</summary>
    public Sequence Apply(Sequence window, int series = 0)
    {
        var scaled = ScaleWithTargets(window, series);
        if (Linear is null || scaled.Targets is null) return scaled;
        var linear = Linear.Predict(scaled.Inputs);
        return scaled with { Targets = [.. scaled.Targets.Select(row => row.Select((y, j) => y - linear[j]).ToArray())] };
    }

    /// <summary>
    /// <paramref name="lstm"/>, a model of what <see cref="Apply"/> makes of windows, as a forecaster
    /// of windows of series <paramref name="series"/> in the data's units: horizon·targets values each.
    /// </summary>
    public Func<IReadOnlyList<double[][]>, double[][]> Around(Func<IReadOnlyList<double[][]>, double[][]> lstm, int series = 0)
    {
        var scaling = Scalings[series];
        return windows =>
        {
            var scaled = windows.Select(scaling.Scale).ToArray();
            var outputs = lstm([.. scaled.Select(s => s.Scaled)]);
            for (int i = 0; i < outputs.Length; i++)
            {
                var (inputs, last) = scaled[i];
                var linear = Linear?.Predict(inputs);
                outputs[i] = [.. outputs[i].Select((y, j) => scaling.Unscale(y + (linear?[j] ?? 0), last, Column(j)))];
            }
            return outputs;
        };
    }

    private Sequence ScaleWithTargets(Sequence window, int series)
    {
        var scaling = Scalings[series];
        var (inputs, last) = scaling.Scale(window.Inputs);
        var targets = window.Targets?.Select(row => row.Select((y, j) => scaling.ScaleValue(y, last, Column(j))).ToArray()).ToArray();
        return window with { Inputs = inputs, Targets = targets };
    }

    // The column of output j (horizon steps of the targets, step-major).
    private int Column(int j) => TargetColumns[j % TargetColumns.Length];
}

// What surrounds the LSTM of a series model: each window is scaled (WindowScaling), a linear
// autoregression forecasts from it (LinearAutoregression), and the LSTM learns what that leaves,
// in the same scaled units. Forecasts are the sum, mapped back to the data's units.
using LstmService.Engine.Data;

namespace LstmService.Engine.Forecasting;

/// <summary>
/// Windows read every column; targets are horizon rows of <see cref="TargetColumns"/>, step-major
/// (as <see cref="SlidingWindows"/> lays them out). <see cref="Linear"/> null: the LSTM forecasts
/// the scaled targets alone.
/// </summary>
public sealed record WindowModel(int[] TargetColumns, WindowScaling Scaling, LinearAutoregression? Linear)
{
    /// <summary>
    /// The scaling fitted on <paramref name="trainingRows"/> and, when <paramref name="linear"/>,
    /// the linear part on <paramref name="trainingWindows"/> (with targets, in data units).
    /// </summary>
    public static WindowModel Fit(double[][] trainingRows, IReadOnlyList<Sequence> trainingWindows, int[] targetColumns, bool linear)
    {
        var model = new WindowModel(targetColumns, WindowScaling.Fit(trainingRows), null);
        if (!linear) return model;
        var scaled = trainingWindows.Select(model.ScaleWithTargets).ToList();
        return model with { Linear = LinearAutoregression.Fit([.. scaled.Select(s => s.Inputs)], [.. scaled.Select(s => s.Targets![0])], targetColumns) };
    }

    /// <summary>A window as the LSTM trains on it: inputs scaled, targets scaled less the linear part's forecast.</summary>
    public Sequence Apply(Sequence window)
    {
        var scaled = ScaleWithTargets(window);
        if (Linear is null || scaled.Targets is null) return scaled;
        var linear = Linear.Predict(scaled.Inputs);
        return scaled with { Targets = [.. scaled.Targets.Select(row => row.Select((y, j) => y - linear[j]).ToArray())] };
    }

    /// <summary>
    /// <paramref name="lstm"/>, a model of what <see cref="Apply"/> makes of windows, as a forecaster
    /// of windows in the data's units: horizon·targets values each.
    /// </summary>
    public Func<IReadOnlyList<double[][]>, double[][]> Around(Func<IReadOnlyList<double[][]>, double[][]> lstm) => windows =>
    {
        var scaled = windows.Select(Scaling.Scale).ToArray();
        var outputs = lstm([.. scaled.Select(s => s.Scaled)]);
        for (int i = 0; i < outputs.Length; i++)
        {
            var (inputs, last) = scaled[i];
            var linear = Linear?.Predict(inputs);
            outputs[i] = [.. outputs[i].Select((y, j) => Scaling.Unscale(y + (linear?[j] ?? 0), last, Column(j)))];
        }
        return outputs;
    };

    private Sequence ScaleWithTargets(Sequence window)
    {
        var (inputs, last) = Scaling.Scale(window.Inputs);
        var targets = window.Targets?.Select(row => row.Select((y, j) => Scaling.ScaleValue(y, last, Column(j))).ToArray()).ToArray();
        return window with { Inputs = inputs, Targets = targets };
    }

    // The column of output j (horizon steps of the targets, step-major).
    private int Column(int j) => TargetColumns[j % TargetColumns.Length];
}

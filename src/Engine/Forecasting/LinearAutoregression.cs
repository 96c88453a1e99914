// A linear autoregression on scaled windows, fitted in closed form (ridge least squares): the
// part of a forecast that is a weighted sum of recent changes. On the public series it alone
// beats Holt-Winters where a plain LSTM does not (docs/dev/forecasting-measurements.md), so a
// series model starts from it and its LSTM learns what it leaves.
using MathNet.Numerics.LinearAlgebra;

namespace LstmService.Engine.Forecasting;

/// <summary>
/// Outputs = <see cref="Weights"/> · features + <see cref="Bias"/>, where the features are the
/// last <see cref="Lags"/> rows before a scaled window's last row (which is always 0) of its
/// <see cref="Columns"/>, oldest first, columns within a row. Weights are [outputs][features].
/// </summary>
public sealed record LinearAutoregression(int[] Columns, int Lags, double[][] Weights, double[] Bias)
{
    /// <summary>At most this many features: the normal equations cost windows × features².</summary>
    public const int MaxFeatures = 256;
    // Ridge strength relative to the features' mean variance: a numerical guard that keeps the
    // solve well posed when lags are nearly collinear (a smooth series). Stronger ridges bias the
    // fit: 1e-3 doubled sf-temps' error, 1e-5 and 1e-7 agree on all four public series.
    private const double Ridge = 1e-6;

    /// <summary>
    /// Least squares from the features of <paramref name="windows"/> (scaled, [W][V] each) to
    /// <paramref name="targets"/> (one row of outputs each), the intercept unpenalized.
    /// </summary>
    public static LinearAutoregression Fit(IReadOnlyList<double[][]> windows, IReadOnlyList<double[]> targets, int[] columns)
    {
        if (windows.Count == 0 || windows.Count != targets.Count) throw new ArgumentException("Fitting needs as many targets as windows, at least one.", nameof(targets));
        int lags = Math.Min(windows[0].Length - 1, MaxFeatures / columns.Length);
        var model = new LinearAutoregression(columns, lags, [], []);
        int outputs = targets[0].Length;
        if (lags == 0) return model with { Weights = [.. Enumerable.Range(0, outputs).Select(_ => Array.Empty<double>())], Bias = Mean(targets, outputs) };

        var x = Matrix<double>.Build.DenseOfRowArrays(windows.Select(model.Features));
        var y = Matrix<double>.Build.DenseOfRowArrays(targets);
        var xMean = x.ColumnSums() / x.RowCount;
        var yMean = y.ColumnSums() / y.RowCount;
        var xc = x - Matrix<double>.Build.Dense(x.RowCount, x.ColumnCount, (_, j) => xMean[j]);
        var yc = y - Matrix<double>.Build.Dense(y.RowCount, y.ColumnCount, (_, j) => yMean[j]);
        var gram = xc.TransposeThisAndMultiply(xc);
        double lambda = Ridge * Math.Max(gram.Trace() / gram.RowCount, 1e-12);
        var beta = (gram + lambda * Matrix<double>.Build.DenseIdentity(gram.RowCount)).Cholesky().Solve(xc.TransposeThisAndMultiply(yc)); // [features][outputs]
        var bias = yMean - beta.TransposeThisAndMultiply(xMean);
        return model with { Weights = beta.Transpose().ToRowArrays(), Bias = bias.ToArray() };
    }

    /// <summary>The outputs for a scaled window.</summary>
    public double[] Predict(double[][] scaledWindow)
    {
        var features = Features(scaledWindow);
        var outputs = new double[Bias.Length];
        for (int o = 0; o < outputs.Length; o++)
        {
            double sum = Bias[o];
            for (int f = 0; f < features.Length; f++) sum += Weights[o][f] * features[f];
            outputs[o] = sum;
        }
        return outputs;
    }

    private double[] Features(double[][] window)
    {
        if (window.Length <= Lags) throw new ArgumentException($"A window needs more than {Lags} rows.", nameof(window));
        var features = new double[Lags * Columns.Length];
        for (int l = 0; l < Lags; l++)
            for (int k = 0; k < Columns.Length; k++)
                features[l * Columns.Length + k] = window[window.Length - 1 - Lags + l][Columns[k]];
        return features;
    }

    private static double[] Mean(IReadOnlyList<double[]> rows, int width) =>
        [.. Enumerable.Range(0, width).Select(j => rows.Average(r => r[j]))];
}

// Point-forecast errors in the data's own units, as Hyndman and Koehler (2006, "Another look at
// measures of forecast accuracy") define them.
using MathNet.Numerics;

namespace LstmService.Engine.Evaluation;

/// <summary>
/// MAE and RMSE in the data's units; MAPE and sMAPE in percent; MASE the MAE over the in-sample
/// MAE of the seasonal-naive forecast (below 1: better than that baseline was on the training
/// data). MAPE is null when an actual value is 0, MASE when the scale is not positive, any of
/// them when it is not finite (an overflowing forecast).
/// </summary>
public sealed record ErrorMetrics(double? Mae, double? Rmse, double? Mape, double? Smape, double? Mase)
{
    /// <summary>Errors of <paramref name="forecast"/> against <paramref name="actual"/> (same length, at least 1).</summary>
    public static ErrorMetrics Compute(double[] actual, double[] forecast, double scale)
    {
        if (actual.Length == 0 || actual.Length != forecast.Length)
            throw new ArgumentException($"Need as many forecasts as actual values, at least one; got {forecast.Length} and {actual.Length}.", nameof(forecast));
        double mae = Distance.MAE(actual, forecast);
        // Squares of errors beyond 1e154 overflow: take them relative to the largest error.
        double largest = actual.Zip(forecast, (y, f) => Math.Abs(y - f)).Max();
        double rmse = largest > 1e150 && double.IsFinite(largest)
            ? largest * Math.Sqrt(actual.Zip(forecast, (y, f) => Math.Pow((y - f) / largest, 2)).Average())
            : Math.Sqrt(Distance.MSE(actual, forecast));
        double? mape = actual.Contains(0.0) ? null : 100 * actual.Zip(forecast, (y, f) => Math.Abs((y - f) / y)).Average();
        // A term whose actual and forecast are both 0 is a perfect forecast: 0, not 0/0.
        double smape = 100 * actual.Zip(forecast, (y, f) => Math.Abs(y) + Math.Abs(f) is var d && d > 0 ? 2 * Math.Abs(y - f) / d : 0).Average();
        double? mase = scale > 0 && double.IsFinite(scale) ? mae / scale : null;
        return new ErrorMetrics(Finite(mae), Finite(rmse), Finite(mape), Finite(smape), Finite(mase));
    }

    private static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;
}

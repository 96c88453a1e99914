// Series windows seen relative to their own last row: a model learns the change from the last
// value rather than the level itself, so it forecasts levels and trends it never saw in training
// (a z-scored model cannot: its outputs stay inside the training range), and an output of 0 is
// the naive forecast. Changes are counted in the series' typical step, so that series of any size
// read alike. (A window's own spread as the unit, as RevIN does, measured worse: a drift in
// units of recent volatility is the wrong model of a trend; docs/dev/forecasting-measurements.md.)
namespace LstmService.Engine.Forecasting;

/// <summary>
/// Per column c of a window [W][V]: x' = (x − last) / <see cref="Steps"/>[c], where last is the
/// window's last row and the step the column's mean absolute one-step change in the training part.
/// </summary>
public sealed record WindowScaling(double[] Steps)
{
    /// <summary>
    /// Each column's mean absolute one-step change over <paramref name="rows"/> (the training
    /// part); 1 for a column that never changes, whose changes then stay in its own units.
    /// </summary>
    public static WindowScaling Fit(double[][] rows)
    {
        if (rows.Length < 2) throw new ArgumentException("Fitting window scaling needs at least two rows.", nameof(rows));
        return new WindowScaling([.. Enumerable.Range(0, rows[0].Length).Select(c => MeanStep(rows, c) is var s && s > 0 && double.IsFinite(s) ? s : 1)]);
    }

    /// <summary>The scaled window and its last row, to map values of it back.</summary>
    public (double[][] Scaled, double[] Last) Scale(double[][] window)
    {
        if (window.Length == 0 || window.Any(row => row.Length != Steps.Length))
            throw new ArgumentException($"A window needs at least one row, each of {Steps.Length} columns.", nameof(window));
        double[] last = window[^1];
        return ([.. window.Select(row => row.Select((x, c) => (x - last[c]) / Steps[c]).ToArray())], last);
    }

    /// <summary>A scaled value of column <paramref name="column"/> back in the data's units.</summary>
    public double Unscale(double value, double[] last, int column) => value * Steps[column] + last[column];

    /// <summary>A value of column <paramref name="column"/> in the units of the window with last row <paramref name="last"/>.</summary>
    public double ScaleValue(double value, double[] last, int column) => (value - last[column]) / Steps[column];

    private static double MeanStep(double[][] rows, int column)
    {
        double sum = 0;
        for (int t = 1; t < rows.Length; t++) sum += Math.Abs(rows[t][column] - rows[t - 1][column]);
        return sum / (rows.Length - 1);
    }
}

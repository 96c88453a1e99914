// Turns time series into forecasting examples: each window of past rows is a sequence whose single
// target row holds the next `horizon` rows, for a model with a last-step output of horizon·Y values.
namespace LstmService.Engine.Data;

public static class SlidingWindows
{
    /// <summary>
    /// Windows over each series ([N][V]: rows are time steps, columns variables; every series has
    /// the same V). A window starting at row i has Inputs = rows [i, i + window) restricted to
    /// <paramref name="inputColumns"/>, and Targets = one row of horizon·Y values: rows
    /// [i + window, i + window + horizon) restricted to <paramref name="targetColumns"/>,
    /// step-major (step 1's Y values, then step 2's, ...). Starts are 0, stride, 2·stride, ...;
    /// windows never cross from one series into the next, and a series shorter than
    /// window + horizon yields none. Columns default to all. Rows are copied.
    /// </summary>
    public static IReadOnlyList<Sequence> Create(IReadOnlyList<double[][]> series, int window, int horizon,
        int[]? inputColumns = null, int[]? targetColumns = null, int stride = 1)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (window < 1) throw new ArgumentOutOfRangeException(nameof(window), window, "The window must be at least 1 step.");
        if (horizon < 1) throw new ArgumentOutOfRangeException(nameof(horizon), horizon, "The horizon must be at least 1 step.");
        if (stride < 1) throw new ArgumentOutOfRangeException(nameof(stride), stride, "The stride must be at least 1 step.");
        int width = CheckShape(series);
        int[] inputs = inputColumns ?? Enumerable.Range(0, width).ToArray();
        int[] targets = targetColumns ?? Enumerable.Range(0, width).ToArray();
        CheckColumns(inputs, width, nameof(inputColumns));
        CheckColumns(targets, width, nameof(targetColumns));
        CheckFinite(series, inputs.Union(targets).Order().ToArray());

        int span = window + horizon;
        var result = new List<Sequence>();
        foreach (var rows in series)
        {
            for (int i = 0; i + span <= rows.Length; i += stride)
            {
                var windowRows = new double[window][];
                for (int t = 0; t < window; t++) windowRows[t] = Select(rows[i + t], inputs);
                var target = new double[horizon * targets.Length];
                for (int h = 0; h < horizon; h++)
                    for (int k = 0; k < targets.Length; k++)
                        target[h * targets.Length + k] = rows[i + window + h][targets[k]];
                result.Add(new Sequence(windowRows, [target]));
            }
        }
        if (result.Count == 0)
            throw new ArgumentException(
                $"No series is long enough for one window: window + horizon = {span} rows are needed, and the longest series has {series.Max(s => s.Length)}.",
                nameof(series));
        return result;
    }

    private static double[] Select(double[] row, int[] columns)
    {
        var selected = new double[columns.Length];
        for (int k = 0; k < columns.Length; k++) selected[k] = row[columns[k]];
        return selected;
    }

    /// <summary>Every series non-empty and every row the same width; returns that width.</summary>
    private static int CheckShape(IReadOnlyList<double[][]> series)
    {
        if (series.Count == 0) throw new ArgumentException("There are no series.", nameof(series));
        int width = -1;
        for (int s = 0; s < series.Count; s++)
        {
            var rows = series[s];
            if (rows is null || rows.Length == 0) throw new ArgumentException($"series[{s}] has no rows.", nameof(series));
            for (int t = 0; t < rows.Length; t++)
            {
                int length = rows[t]?.Length ?? 0;
                if (length == 0) throw new ArgumentException($"series[{s}][{t}] is empty.", nameof(series));
                if (width < 0) width = length;
                if (length != width)
                    throw new ArgumentException($"series[{s}][{t}] has {length} values; every row of every series must have {width}, as the first row.", nameof(series));
            }
        }
        return width;
    }

    private static void CheckColumns(int[] columns, int width, string name)
    {
        if (columns.Length == 0) throw new ArgumentException("At least one column must be selected.", name);
        for (int k = 0; k < columns.Length; k++)
            if ((uint)columns[k] >= (uint)width)
                throw new ArgumentOutOfRangeException(name, columns[k], $"{name}[{k}] = {columns[k]} is not a column of series with {width} columns.");
        if (columns.Distinct().Count() != columns.Length)
            throw new ArgumentException($"{name} lists a column more than once.", name);
    }

    /// <summary>Only the columns that are used must be finite; others may hold anything.</summary>
    private static void CheckFinite(IReadOnlyList<double[][]> series, int[] used)
    {
        for (int s = 0; s < series.Count; s++)
            for (int t = 0; t < series[s].Length; t++)
                foreach (int j in used)
                    if (!double.IsFinite(series[s][t][j]))
                        throw new ArgumentException($"series[{s}][{t}][{j}] = {series[s][t][j]}; values must be finite.", nameof(series));
    }
}

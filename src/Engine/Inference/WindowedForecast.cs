// Forecasting with a window model (the last `window` rows of every column in, the next `horizon`
// rows of its targets out): more steps than its horizon by feeding its forecasts back as the next
// rows, which needs a model that forecasts every column it reads.
namespace LstmService.Engine.Inference;

public static class WindowedForecast
{
    /// <summary>
    /// <paramref name="steps"/> rows of forecasts [n][steps][Y] after each of
    /// <paramref name="histories"/> ([≥ window][V] each, data units). <paramref name="predict"/>
    /// maps windows [n][window][V] to [n][horizon·Y], step-major. Beyond the horizon each forecast
    /// row goes back in as row values of <paramref name="targetColumns"/>, which must then cover
    /// all V columns (else an <see cref="ArgumentException"/>).
    /// </summary>
    public static double[][][] Run(IReadOnlyList<double[][]> histories, int steps, int window, int horizon, int[] targetColumns,
        Func<IReadOnlyList<double[][]>, double[][]> predict)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        int y = targetColumns.Length;
        int width = histories.Count == 0 ? 0 : histories[0][0].Length;
        if (steps > horizon && !CanFeedBack(targetColumns, width))
            throw new ArgumentException($"The model forecasts {horizon} steps of {y} of its {width} input columns; more steps would need the other columns' future values.", nameof(steps));
        var tails = histories.Select(h => h.Length >= window ? new Queue<double[]>(h[^window..])
            : throw new ArgumentException($"A history needs at least {window} rows; one has {h.Length}.", nameof(histories))).ToList();
        var result = histories.Select(_ => new double[steps][]).ToArray();
        for (int done = 0; done < steps; done += horizon)
        {
            var outputs = predict([.. tails.Select(t => t.ToArray())]);
            for (int i = 0; i < result.Length; i++)
                for (int h = 0; h < horizon && done + h < steps; h++)
                {
                    var row = result[i][done + h] = outputs[i][(h * y)..((h + 1) * y)];
                    if (done + horizon >= steps) continue; // the last round: nothing is fed back
                    var next = new double[width];
                    for (int k = 0; k < y; k++) next[targetColumns[k]] = row[k];
                    tails[i].Dequeue();
                    tails[i].Enqueue(next);
                }
        }
        return result;
    }

    /// <summary>Whether forecasts can be fed back: the targets are every input column.</summary>
    public static bool CanFeedBack(int[] targetColumns, int columns) => targetColumns.Length == columns && targetColumns.Distinct().Count() == columns;
}

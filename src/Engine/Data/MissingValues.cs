// Gaps in a series (NaN cells) filled before windows are cut, so a model always sees numbers.
// Which cells were filled is the caller's to remember: a filled value is never scored as a target.
namespace LstmService.Engine.Data;

public enum MissingValueFill
{
    /// <summary>A straight line between the values on either side of a gap.</summary>
    Interpolate,
    /// <summary>The last value before a gap, repeated.</summary>
    ForwardFill,
}

public static class MissingValues
{
    /// <summary>
    /// A copy of <paramref name="rows"/> ([N][V], NaN = missing) with every gap filled per column.
    /// Before a column's first value there is nothing to draw from, so both methods take that
    /// first value; after its last one, interpolation repeats the last value. A column with no
    /// value at all cannot be filled.
    /// </summary>
    public static double[][] Fill(double[][] rows, MissingValueFill method)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var filled = rows.Select(r => (double[])r.Clone()).ToArray();
        if (filled.Length == 0) return filled;
        for (int j = 0; j < filled[0].Length; j++)
        {
            int previous = -1; // the last row with a value in column j
            for (int t = 0; t <= filled.Length; t++)
            {
                if (t < filled.Length && double.IsNaN(filled[t][j])) continue;
                if (t == filled.Length && previous < 0)
                    throw new ArgumentException($"Column {j} has no value to fill its gaps from.", nameof(rows));
                // Rows previous+1 .. t-1 are a gap, bounded by values at previous and t (either may be absent).
                for (int g = previous + 1; g < t; g++)
                {
                    double before = previous >= 0 ? filled[previous][j] : filled[t][j];
                    double after = t < filled.Length ? filled[t][j] : before;
                    filled[g][j] = method == MissingValueFill.ForwardFill || previous < 0
                        ? before
                        : before + (after - before) * (g - previous) / (t - previous);
                }
                previous = t;
            }
        }
        return filled;
    }

    /// <summary>
    /// Fills rows before <paramref name="causalFrom"/> by <paramref name="method"/> from those rows
    /// alone, and every later gap with the last value before it, so that no row from
    /// <paramref name="causalFrom"/> on is filled from a later one: a value held out for
    /// validation or testing never leaks into an earlier row, and a forecast never sees its target.
    /// (With <paramref name="causalFrom"/> 0, a gap at the start takes the column's first value.)
    /// </summary>
    public static double[][] FillCausal(double[][] rows, MissingValueFill method, int causalFrom)
    {
        var filled = Fill(rows[..causalFrom], method).Concat(rows[causalFrom..].Select(r => (double[])r.Clone())).ToArray();
        for (int t = Math.Max(causalFrom, 1); t < filled.Length; t++)
            for (int j = 0; j < filled[t].Length; j++)
                if (double.IsNaN(filled[t][j])) filled[t][j] = filled[t - 1][j];
        // With causalFrom 0, a gap at the very start has no value before it: it takes the column's first.
        return causalFrom == 0 && filled.Length > 0 && filled[0].Any(double.IsNaN) ? Fill(filled, MissingValueFill.ForwardFill) : filled;
    }

    /// <summary>Which cells of <paramref name="rows"/> are missing (NaN); null when none is.</summary>
    public static bool[][]? Mask(double[][] rows)
    {
        if (!rows.Any(r => r.Any(double.IsNaN))) return null;
        return rows.Select(r => r.Select(double.IsNaN).ToArray()).ToArray();
    }
}

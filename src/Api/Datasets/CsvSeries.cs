// A CSV time series as uploaded: a header row naming the columns, then one row per time step.
// Numeric columns are the series; a column of dates or date-times is its time index; empty
// cells are missing values (NaN), filled per job. A column named as the series column holds the
// id of the series each row belongs to: several series of the same columns in one file.
using System.Globalization;
using LstmService.Api.Infrastructure;
using nietras.SeparatedValues;

namespace LstmService.Api.Datasets;

/// <summary>
/// The numeric <see cref="Columns"/> and the rows [N][V] of each of <see cref="Series"/> (NaN
/// where a cell was empty, <see cref="MissingCells"/> of them), their <see cref="Ids"/> in order of
/// first appearance (null without a series column), and the time column's name and spacing when
/// there is one (the spacing of the longest series).
/// </summary>
internal sealed record CsvSeries(string[] Columns, IReadOnlyList<double[][]> Series, string[]? Ids, int MissingCells, string? TimeColumn, TimeSpacing? Spacing)
{
    /// <summary>At most this many series in one file: each is stored, split and scored on its own.</summary>
    public const int MaxSeries = 10_000;

    /// <summary>
    /// Reads and checks a CSV; null (with <paramref name="errors"/> saying why) when it cannot be a
    /// series. <paramref name="seriesColumn"/>: the column naming each row's series, if any.
    /// </summary>
    public static CsvSeries? Read(Stream csv, ServiceLimits limits, ValidationErrors errors, string? seriesColumn = null)
    {
        try
        {
            using var reader = Sep.Reader(o => o with { Unescape = true, Trim = SepTrim.All, DisableColCountCheck = true }).From(csv);
            string[] header = [.. reader.Header.ColNames];
            if (!errors.Require(header.Length is > 0 and <= 1024 && header.All(c => c.Length > 0), "body", "The first row must name each column (1 to 1024 columns).")) return null;
            if (!errors.Require(!header.All(h => IsNumber(h) || TimeIndex.TryParse(h, "", out _)), "body",
                $"The first row must name the columns; it holds values ('{Shorten(header[0])}', …). Add a header row.")) return null;
            int idColumn = seriesColumn is null ? -1 : Array.IndexOf(header, seriesColumn);
            if (!errors.Require(seriesColumn is null || idColumn >= 0, "seriesColumn", $"'{seriesColumn}' is not a column; the columns are {string.Join(", ", header)}.")) return null;

            int timeColumn = -2; // decided by the first data row: -1 for none
            int missing = 0, firstBlankLine = 0, blankLines = 0;
            var rows = new List<double[]>();
            var ids = new List<string>(); // each row's series id, with a series column
            var times = new Dictionary<string, List<DateTime>>(); // each series' times, by id ("" without a series column)
            BadCells[] bad = [];
            foreach (var row in reader)
            {
                int line = row.LineNumberFrom;
                if (row.ColCount == 1 && row[0].Span.IsEmpty)
                {
                    // Blank lines at the end are ignored; before a row, in a one-column series, each is a missing value.
                    if (blankLines++ == 0) firstBlankLine = line;
                    continue;
                }
                if (blankLines > 0 && !errors.Require(header.Length == 1, "body", $"Line {firstBlankLine} is blank; every row needs one cell per column (blank lines are ignored only at the end).")) return null;
                if (!errors.Require(row.ColCount == header.Length, "body",
                    $"The header names {header.Length} column{(header.Length == 1 ? "" : "s")}, but line {line} has {row.ColCount} cells. Every row needs one cell per column.")) return null;
                if (timeColumn == -2)
                {
                    if ((timeColumn = FindTimeColumn(row, header, idColumn, errors)) == -2) return null;
                    int numeric = header.Length - (timeColumn >= 0 ? 1 : 0) - (idColumn >= 0 ? 1 : 0);
                    if (!errors.Require(numeric > 0, "body", header.Length == 1 ? "The only column holds dates; a series needs at least one numeric column."
                        : "No column is left for values: a series needs at least one numeric column besides its time and series columns.")) return null;
                    bad = [.. Enumerable.Range(0, numeric).Select(_ => new BadCells())];
                }
                for (; blankLines > 0; blankLines--) { rows.Add([double.NaN]); missing++; }

                if (!errors.Require(rows.Count < limits.MaxSeriesRows, "body", $"At most {limits.MaxSeriesRows:N0} rows are allowed.")) return null;
                // A series holding more numbers than a job may train on could never be used.
                if (!errors.Require((rows.Count + 1L) * bad.Length <= limits.MaxTrainingValues, "body", $"At most {limits.MaxTrainingValues:N0} numbers (rows × columns) are allowed.")) return null;
                var values = new double[bad.Length];
                string id = idColumn < 0 ? "" : row[idColumn].ToString();
                if (idColumn >= 0)
                {
                    if (!errors.Require(id.Length is > 0 and <= 200, $"line {line}, column {seriesColumn}", "Every row needs the id of its series (1 to 200 characters).")) return null;
                    if (!times.ContainsKey(id) && !errors.Require(times.Count < MaxSeries, "body", $"At most {MaxSeries:N0} series are allowed in one dataset.")) return null;
                    ids.Add(id);
                }
                if (!times.TryGetValue(id, out var seriesTimes)) times[id] = seriesTimes = [];
                for (int c = 0, v = 0; c < header.Length; c++)
                {
                    var cell = row[c].Span;
                    if (c == idColumn) continue;
                    if (c == timeColumn) ReadTime(cell, header[c], line, seriesTimes, errors);
                    else if (cell.IsEmpty) { values[v++] = double.NaN; missing++; }
                    else if (TryNumber(cell, out values[v++])) bad[v - 1].Good++;
                    else bad[v - 1].Add(line, cell);
                }
                if (errors.IsFull) return null;
                rows.Add(values);
            }
            var columns = header.Where((_, c) => c != timeColumn && c != idColumn).ToArray();
            for (int v = 0; v < bad.Length; v++) bad[v].Report(columns[v], seriesColumn is null, errors);
            if (!errors.IsEmpty) return null;
            if (!errors.Require(rows.Count >= 2, "body", "A series needs at least two rows after the header.")) return null;
            for (int v = 0; v < columns.Length; v++)
                errors.Require(rows.Any(r => !double.IsNaN(r[v])), $"column {columns[v]}", "The column has no values; remove it or fill it in.");
            if (!errors.IsEmpty) return null;
            // Rows of a series keep their order; series come in the order of their first row.
            var order = idColumn < 0 ? null : ids.Select((id, r) => (id, r)).GroupBy(p => p.id).ToList();
            IReadOnlyList<double[][]> series = order is null ? [[.. rows]] : [.. order.Select(g => g.Select(p => rows[p.r]).ToArray())];
            var shortSeries = order?.FirstOrDefault(g => g.Count() < 2);
            if (!errors.Require(shortSeries is null, $"column {seriesColumn}", $"Series {shortSeries?.Key} has one row; every series needs at least two.")) return null;
            var longest = times.Values.MaxBy(t => t.Count)!;
            return new CsvSeries(columns, series, order?.Select(g => g.Key).ToArray(), missing, timeColumn >= 0 ? header[timeColumn] : null, timeColumn >= 0 ? TimeIndex.Infer(longest) : null);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException)
        {
            errors.Add("body", $"The CSV is malformed: {e.Message}"); // e.g. a column named twice, an unterminated quote
            return null;
        }
    }

    // The column whose first data cell is a date (-1 for none; -2 when two are, with the error added).
    private static int FindTimeColumn(SepReader.Row row, string[] header, int idColumn, ValidationErrors errors)
    {
        int found = -1;
        for (int c = 0; c < header.Length; c++)
        {
            var cell = row[c].Span;
            if (c == idColumn) continue;
            // yyyyMMdd reads as a number too; TryParse takes it only in a column named for time.
            if (cell.IsEmpty || !TimeIndex.TryParse(cell, header[c], out _)) continue;
            if (found >= 0)
            {
                errors.Add($"column {header[c]}", $"The column holds dates, as '{header[found]}' does; a series has one time column.");
                return -2;
            }
            found = c;
        }
        return found;
    }

    // The cells of one column that are not numbers: a column of nothing else is text, one error; otherwise each is named.
    private sealed class BadCells
    {
        private readonly List<(int Line, string Cell)> _first = [];
        public int Good;

        public void Add(int line, ReadOnlySpan<char> cell)
        {
            if (_first.Count < 25) _first.Add((line, Shorten(cell.ToString())));
        }

        public void Report(string column, bool canNameSeries, ValidationErrors errors)
        {
            if (_first.Count == 0) return;
            if (Good == 0)
                errors.Add($"column {column}", $"The column holds text ('{_first[0].Cell}' on line {_first[0].Line}), not numbers. A series holds numeric columns and at most one time column of dates" +
                    (canNameSeries ? $"; if the column names the series each row belongs to, upload with ?seriesColumn={Uri.EscapeDataString(column)}." : "."));
            else
                foreach (var (line, cell) in _first)
                    errors.Add($"line {line}, column {column}", $"'{cell}' is not a finite number (an empty cell is a missing value).");
        }
    }

    private static void ReadTime(ReadOnlySpan<char> cell, string column, int line, List<DateTime> times, ValidationErrors errors)
    {
        string field = $"line {line}, column {column}";
        if (!TimeIndex.TryParse(cell, column, out var time))
        {
            errors.Add(field, cell.IsEmpty ? "The time is missing; every row of a series needs one." : $"'{Shorten(cell.ToString())}' is not a date or date-time (e.g. 2024-01-31 or 2024-01-31T13:00:00Z).");
            times.Add(DateTime.MinValue); // keeps the rows and times in step; the upload is refused anyway
            return;
        }
        if (times.Count > 0 && times[^1] != DateTime.MinValue && time <= times[^1])
            errors.Add(field, $"{time:yyyy-MM-dd HH:mm:ss} is not after the previous row's {times[^1]:yyyy-MM-dd HH:mm:ss}; rows must be in time order, each time once.");
        times.Add(time);
    }

    private static bool IsNumber(ReadOnlySpan<char> cell) => TryNumber(cell, out _);

    // .NET's parser skips trailing NUL characters ("4\0" reads as 4); a cell holding one is no number.
    private static bool TryNumber(ReadOnlySpan<char> cell, out double value) =>
        double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value) && !cell.Contains('\0');

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}

// The time column of a CSV series: which cells are dates or date-times, how far apart the rows
// are, and the season that spacing implies (hourly 24, daily 7, weekly 52, monthly 12, quarterly 4).
using System.Globalization;
using System.Xml;

namespace LstmService.Api.Datasets;

/// <summary>
/// How far apart a series' rows are: <see cref="Spacing"/> as an ISO 8601 duration (PT1H, P1D,
/// P1M, P3M, …), the <see cref="SeasonLength"/> it implies (1 when none), and how many steps
/// differ from it (gaps or uneven rows).
/// </summary>
public sealed record TimeSpacing(string Spacing, int SeasonLength, int IrregularSteps);

internal static class TimeIndex
{
    // ISO 8601 and the slash form, with or without a time of day and a zone; year-month alone.
    private static readonly string[] Formats = BuildFormats();

    private static string[] BuildFormats()
    {
        string[] times = [" HH:mm", " HH:mm:ss", " HH:mm:ss.FFFFFFF", "THH:mm", "THH:mm:ss", "THH:mm:ss.FFFFFFF"];
        return [.. from date in new[] { "yyyy-MM-dd", "yyyy/MM/dd" }
                   from form in times.SelectMany(t => new[] { date + t, date + t + "K" }).Prepend(date)
                   select form, "yyyy-MM", "yyyy/MM"];
    }

    /// <summary>
    /// A date or date-time in one of the common forms, read as UTC (an offset is converted).
    /// <c>yyyyMMdd</c> is read too, but only for a column whose name says it holds time, since
    /// otherwise it is a number.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> cell, string column, out DateTime time)
    {
        const DateTimeStyles utc = DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal;
        if (DateTime.TryParseExact(cell, Formats, CultureInfo.InvariantCulture, utc, out time)) return true;
        return cell.Length == 8 && NamesTime(column) && DateTime.TryParseExact(cell, "yyyyMMdd", CultureInfo.InvariantCulture, utc, out time);
    }

    private static readonly string[] TimeWords = ["date", "time", "day", "period", "timestamp", "ds"];

    private static bool NamesTime(string column) => TimeWords.Any(w => column.Contains(w, StringComparison.OrdinalIgnoreCase));

    /// <summary>The spacing of <paramref name="times"/> (at least two, increasing): the most common step.</summary>
    public static TimeSpacing Infer(IReadOnlyList<DateTime> times)
    {
        // Calendar months differ in length: a monthly or quarterly series is spaced by months, when
        // every row falls on the same day (or the last day) of its month at the same time of day.
        bool monthly = times.All(t => t.TimeOfDay == times[0].TimeOfDay)
            && (times.All(t => t.Day == times[0].Day) || times.All(t => t.Day == DateTime.DaysInMonth(t.Year, t.Month)));
        if (monthly)
        {
            var months = Steps(times, (a, b) => (b.Year - a.Year) * 12 + b.Month - a.Month);
            var (step, irregular) = Mode(months);
            string spacing = step % 12 == 0 ? $"P{step / 12}Y" : $"P{step}M";
            return new TimeSpacing(spacing, step < 12 && 12 % step == 0 ? 12 / step : 1, irregular);
        }
        var ticks = Steps(times, (a, b) => (b - a).Ticks);
        var (tickStep, uneven) = Mode(ticks);
        var duration = TimeSpan.FromTicks(tickStep);
        int season = duration == TimeSpan.FromDays(1) ? 7
            : duration == TimeSpan.FromDays(7) ? 52
            : duration < TimeSpan.FromDays(1) && TimeSpan.TicksPerDay % tickStep == 0 ? (int)(TimeSpan.TicksPerDay / tickStep)
            : 1;
        return new TimeSpacing(XmlConvert.ToString(duration), season, uneven);
    }

    private static List<T> Steps<T>(IReadOnlyList<DateTime> times, Func<DateTime, DateTime, T> step) =>
        Enumerable.Range(1, times.Count - 1).Select(i => step(times[i - 1], times[i])).ToList();

    // The most common step, and how many steps are not it.
    private static (T Step, int Others) Mode<T>(List<T> steps) where T : notnull
    {
        var most = steps.GroupBy(s => s).MaxBy(g => g.Count())!;
        return (most.Key, steps.Count - most.Count());
    }
}

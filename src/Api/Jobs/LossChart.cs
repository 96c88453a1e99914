// Renders a training job's per-epoch train/validation loss history as a standalone, report-ready SVG chart.
// Output is deterministic and culture-invariant; user-supplied text is XML-escaped and non-finite losses are skipped.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace LstmService.Api.Jobs;

internal static class LossChart
{
    private const int Width = 720;
    private const int Height = 420;
    private const double PlotTop = 50;
    private const double PlotBottom = 364;
    private const double PlotRight = 700;
    private const double XInset = 10;          // keeps first/last points off the frame
    private const int MarkerEpochLimit = 30;   // draw point markers up to this many epochs
    private const int MaxTitleChars = 60;      // ~ what fits in 720px at 16px bold
    private const string TrainColor = "#1f77b4";
    private const string ValidationColor = "#ff7f0e";
    private const string GridColor = "#e6e6e6";
    private const string AxisColor = "#444";
    private const string TextColor = "#333";
    private const string FontFamily = "Helvetica, Arial, sans-serif";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Render(string title, IReadOnlyList<EpochLoss> losses)
    {
        ArgumentNullException.ThrowIfNull(losses);
        title ??= string.Empty;

        var sb = new StringBuilder(16 * 1024);
        sb.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").Append(Width).Append("\" height=\"").Append(Height)
          .Append("\" viewBox=\"0 0 ").Append(Width).Append(' ').Append(Height)
          .Append("\" font-family=\"").Append(FontFamily).Append("\" role=\"img\">\n");
        sb.Append("<title>").Append(Escape(title.Length == 0 ? "Training loss" : title)).Append("</title>\n");
        sb.Append("<rect width=\"").Append(Width).Append("\" height=\"").Append(Height).Append("\" fill=\"#fff\"/>\n");
        AppendText(sb, Width / 2.0, 30, DisplayTitle(title), 16, "middle", TextColor, "font-weight=\"bold\"");

        var rows = losses.Where(r => r is not null).OrderBy(r => r.Epoch).ToArray(); // OrderBy is stable
        if (rows.Length == 0)
        {
            AppendText(sb, Width / 2.0, Height / 2.0, "no epochs yet", 15, "middle", "#888", null);
            return sb.Append("</svg>\n").ToString();
        }

        var values = new List<double>(rows.Length * 2);
        foreach (var r in rows)
        {
            if (double.IsFinite(r.TrainLoss)) values.Add(r.TrainLoss);
            if (r.ValidationLoss is double v && double.IsFinite(v)) values.Add(v);
        }
        // A single epoch gets a zero-based axis; zooming in on one or two numbers would exaggerate their difference.
        var y = values.Count == 0 ? YAxis.Linear(0, 1, true) : YAxis.Build(values, zeroBased: rows.Length == 1);

        // Left margin grows with the widest y tick label so labels never collide with the axis title.
        int widest = y.Major.Count == 0 ? 1 : y.Major.Max(t => t.Label.Length);
        double plotLeft = Math.Max(56, 34 + widest * 6.6 + 8);
        var x = XAxis.Build(rows[0].Epoch, rows[^1].Epoch, plotLeft);

        double Py(double frac) => PlotBottom - frac * (PlotBottom - PlotTop);

        // Grid lines (minor first so major lines sit on top).
        sb.Append("<g stroke-width=\"1\" fill=\"none\">\n");
        if (y.MinorGrid)
        {
            foreach (var m in y.Minor) AppendLine(sb, plotLeft, Py(y.Fraction(m)), PlotRight, Py(y.Fraction(m)), "#f3f3f3");
        }
        foreach (var t in y.Major) AppendLine(sb, plotLeft, Py(y.Fraction(t.Value)), PlotRight, Py(y.Fraction(t.Value)), GridColor);
        foreach (var t in x.Ticks) AppendLine(sb, x.Px(t.Value), PlotTop, x.Px(t.Value), PlotBottom, GridColor);
        sb.Append("</g>\n");

        // Frame, ticks, tick labels.
        sb.Append("<rect x=\"").Append(F(plotLeft)).Append("\" y=\"").Append(F(PlotTop)).Append("\" width=\"").Append(F(PlotRight - plotLeft))
          .Append("\" height=\"").Append(F(PlotBottom - PlotTop)).Append("\" fill=\"none\" stroke=\"#999\" stroke-width=\"1\"/>\n");
        sb.Append("<g stroke=\"").Append(AxisColor).Append("\" stroke-width=\"1\">\n");
        foreach (var t in y.Major) AppendLine(sb, plotLeft - 5, Py(y.Fraction(t.Value)), plotLeft, Py(y.Fraction(t.Value)), null);
        foreach (var m in y.Minor) AppendLine(sb, plotLeft - 3, Py(y.Fraction(m)), plotLeft, Py(y.Fraction(m)), null);
        foreach (var t in x.Ticks) AppendLine(sb, x.Px(t.Value), PlotBottom, x.Px(t.Value), PlotBottom + 5, null);
        sb.Append("</g>\n");

        sb.Append("<g font-size=\"11\" fill=\"").Append(TextColor).Append("\">\n");
        foreach (var t in y.Major) AppendText(sb, plotLeft - 8, Py(y.Fraction(t.Value)) + 4, t.Label, null, "end", null, null);
        foreach (var t in x.Ticks) AppendText(sb, x.Px(t.Value), PlotBottom + 18, t.Label, null, "middle", null, null);
        sb.Append("</g>\n");

        // Axis titles.
        AppendText(sb, (plotLeft + PlotRight) / 2, PlotBottom + 40, "epoch", 13, "middle", TextColor, null);
        double yMid = (PlotTop + PlotBottom) / 2;
        AppendText(sb, 18, yMid, y.IsLog ? "loss (log scale)" : "loss", 13, "middle", TextColor,
            "transform=\"rotate(-90 18 " + F(yMid) + ")\"");

        // Series.
        var train = Segments(rows, r => r.TrainLoss, y, x, Py);
        var validation = Segments(rows, r => r.ValidationLoss, y, x, Py);
        bool markers = rows.Length <= MarkerEpochLimit;
        AppendSeries(sb, "train", TrainColor, train, markers);
        AppendSeries(sb, "validation", ValidationColor, validation, markers);

        if (train.Count == 0 && validation.Count == 0)
        {
            AppendText(sb, (plotLeft + PlotRight) / 2, yMid, "no finite loss values", 14, "middle", "#888", null);
        }

        var entries = new List<(string Label, string Color)>(2);
        if (train.Count > 0) entries.Add(("train", TrainColor));
        if (validation.Count > 0) entries.Add(("validation", ValidationColor));
        if (entries.Count > 0) AppendLegend(sb, entries, markers, plotLeft, train.Concat(validation).ToList());

        return sb.Append("</svg>\n").ToString();
    }

    // ---------------------------------------------------------------- series

    private readonly record struct Pt(double X, double Y);

    /// <summary>Splits a series into drawable runs: null values are skipped (the line connects across them),
    /// non-plottable values (NaN, infinities, non-positive on a log axis) break the line.</summary>
    private static List<List<Pt>> Segments(EpochLoss[] rows, Func<EpochLoss, double?> select, YAxis y, XAxis x, Func<double, double> py)
    {
        var result = new List<List<Pt>>();
        List<Pt>? current = null;
        foreach (var r in rows)
        {
            if (select(r) is not double v) continue;
            if (!y.Plottable(v))
            {
                current = null;
                continue;
            }
            var p = new Pt(Math.Round(x.Px(r.Epoch), 2), Math.Round(py(y.Fraction(v)), 2));
            if (!double.IsFinite(p.X) || !double.IsFinite(p.Y)) { current = null; continue; }
            if (current is null)
            {
                current = new List<Pt>();
                result.Add(current);
            }
            if (current.Count == 0 || current[^1] != p) current.Add(p); // drop exact duplicates to keep files small
        }
        for (int i = 0; i < result.Count; i++) result[i] = Decimate(result[i]);
        return result;
    }

    /// <summary>For very long histories keeps, per pixel column, the first, lowest, highest and last point:
    /// visually identical to the full line but bounded in size (~4 points per pixel).</summary>
    private static List<Pt> Decimate(List<Pt> seg)
    {
        if (seg.Count <= 2000) return seg;
        var kept = new List<Pt>();
        var picks = new int[4];
        for (int i = 0; i < seg.Count;)
        {
            double column = Math.Floor(seg[i].X);
            int j = i, lowest = i, highest = i;
            for (; j < seg.Count && Math.Floor(seg[j].X) == column; j++)
            {
                if (seg[j].Y < seg[lowest].Y) lowest = j;
                if (seg[j].Y > seg[highest].Y) highest = j;
            }
            picks[0] = i; picks[1] = lowest; picks[2] = highest; picks[3] = j - 1;
            Array.Sort(picks);
            for (int k = 0; k < 4; k++)
            {
                if (k == 0 || picks[k] != picks[k - 1]) kept.Add(seg[picks[k]]);
            }
            i = j;
        }
        return kept;
    }

    private static void AppendSeries(StringBuilder sb, string name, string color, List<List<Pt>> segments, bool markers)
    {
        if (segments.Count == 0) return;
        sb.Append("<g class=\"").Append(name).Append("\" fill=\"none\" stroke=\"").Append(color)
          .Append("\" stroke-width=\"1.8\" stroke-linejoin=\"round\" stroke-linecap=\"round\">\n");
        foreach (var seg in segments.Where(s => s.Count > 1))
        {
            sb.Append("<polyline points=\"");
            for (int i = 0; i < seg.Count; i++)
            {
                if (i > 0) sb.Append(' ');
                sb.Append(F(seg[i].X)).Append(',').Append(F(seg[i].Y));
            }
            sb.Append("\"/>\n");
        }
        sb.Append("</g>\n");

        // Markers for short histories, and always for isolated points (e.g. a single epoch) so they stay visible.
        var dots = segments.Where(s => markers || s.Count == 1).ToList();
        if (dots.Count == 0) return;
        sb.Append("<g class=\"").Append(name).Append("-points\" fill=\"").Append(color).Append("\" stroke=\"#fff\" stroke-width=\"0.8\">\n");
        foreach (var seg in dots)
        {
            string r = seg.Count == 1 ? "4" : "3"; // isolated points have no line, so make them a little larger
            foreach (var p in seg)
            {
                sb.Append("<circle cx=\"").Append(F(p.X)).Append("\" cy=\"").Append(F(p.Y)).Append("\" r=\"").Append(r).Append("\"/>\n");
            }
        }
        sb.Append("</g>\n");
    }

    // ---------------------------------------------------------------- legend

    private static void AppendLegend(StringBuilder sb, List<(string Label, string Color)> entries, bool markers, double plotLeft, List<List<Pt>> data)
    {
        const double pad = 8, rowH = 18, swatch = 22, inset = 8;
        double w = pad + swatch + 6 + entries.Max(e => e.Label.Length) * 6.8 + pad;
        double h = pad + entries.Count * rowH - 4 + pad / 2;

        // Candidate corners in preference order; pick the one overlapping the fewest data points/segments.
        (double X, double Y)[] corners =
        [
            (PlotRight - inset - w, PlotTop + inset),
            (plotLeft + inset, PlotBottom - inset - h),
            (plotLeft + inset, PlotTop + inset),
            (PlotRight - inset - w, PlotBottom - inset - h),
        ];
        var best = corners[0];
        int bestHits = int.MaxValue;
        foreach (var c in corners)
        {
            int hits = CountHits(data, c.X - 3, c.Y - 3, c.X + w + 3, c.Y + h + 3);
            if (hits < bestHits) { best = c; bestHits = hits; }
        }

        sb.Append("<g class=\"legend\" font-size=\"12\">\n");
        sb.Append("<rect x=\"").Append(F(best.X)).Append("\" y=\"").Append(F(best.Y)).Append("\" width=\"").Append(F(w))
          .Append("\" height=\"").Append(F(h)).Append("\" rx=\"3\" fill=\"#fff\" fill-opacity=\"0.9\" stroke=\"#ccc\"/>\n");
        for (int i = 0; i < entries.Count; i++)
        {
            double cy = best.Y + pad + 5 + i * rowH;
            double x0 = best.X + pad;
            sb.Append("<line x1=\"").Append(F(x0)).Append("\" y1=\"").Append(F(cy)).Append("\" x2=\"").Append(F(x0 + swatch))
              .Append("\" y2=\"").Append(F(cy)).Append("\" stroke=\"").Append(entries[i].Color).Append("\" stroke-width=\"2\"/>\n");
            if (markers)
            {
                sb.Append("<circle cx=\"").Append(F(x0 + swatch / 2)).Append("\" cy=\"").Append(F(cy)).Append("\" r=\"3\" fill=\"")
                  .Append(entries[i].Color).Append("\"/>\n");
            }
            AppendText(sb, x0 + swatch + 6, cy + 4, entries[i].Label, null, null, TextColor, null);
        }
        sb.Append("</g>\n");
    }

    private static int CountHits(List<List<Pt>> data, double left, double top, double right, double bottom)
    {
        int hits = 0;
        foreach (var seg in data)
        {
            if (seg.Count == 1) { hits += SegmentHitsRect(seg[0], seg[0], left, top, right, bottom) ? 1 : 0; continue; }
            for (int i = 1; i < seg.Count; i++) hits += SegmentHitsRect(seg[i - 1], seg[i], left, top, right, bottom) ? 1 : 0;
        }
        return hits;
    }

    // Liang–Barsky clipping test.
    private static bool SegmentHitsRect(Pt a, Pt b, double left, double top, double right, double bottom)
    {
        double dx = b.X - a.X, dy = b.Y - a.Y, t0 = 0, t1 = 1;
        ReadOnlySpan<double> p = [-dx, dx, -dy, dy];
        ReadOnlySpan<double> q = [a.X - left, right - a.X, a.Y - top, bottom - a.Y];
        for (int i = 0; i < 4; i++)
        {
            if (p[i] == 0)
            {
                if (q[i] < 0) return false;
                continue;
            }
            double t = q[i] / p[i];
            if (p[i] < 0) { if (t > t1) return false; if (t > t0) t0 = t; }
            else { if (t < t0) return false; if (t < t1) t1 = t; }
        }
        return true;
    }

    // ---------------------------------------------------------------- axes

    private readonly record struct Tick(double Value, string Label);

    private sealed class XAxis
    {
        public required double Lo { get; init; }
        public required double Hi { get; init; }
        public required double Left { get; init; }
        public required List<Tick> Ticks { get; init; }

        public double Px(double epoch) =>
            Left + XInset + (epoch - Lo) / (Hi - Lo) * (PlotRight - Left - 2 * XInset);

        public static XAxis Build(int first, int last, double left)
        {
            double lo = first, hi = last;
            if (hi <= lo) { lo -= 1; hi += 1; }
            int chars = Math.Max(Math.Abs((long)lo).ToString(Inv).Length, Math.Abs((long)hi).ToString(Inv).Length) + 1;
            int target = (int)Math.Clamp((PlotRight - left) / (chars * 7 + 28), 2, 10);
            double step = Math.Max(1, NiceStep((hi - lo) / target));
            var ticks = new List<Tick>();
            for (long i = (long)Math.Ceiling(lo / step); i * step <= hi; i++)
            {
                double v = i * step;
                ticks.Add(new Tick(v, v.ToString("0", Inv)));
            }
            return new XAxis { Lo = lo, Hi = hi, Left = left, Ticks = ticks };
        }
    }

    private sealed class YAxis
    {
        public required bool IsLog { get; init; }
        public required double Lo { get; init; }   // data units (linear) or log10 exponent (log)
        public required double Hi { get; init; }
        public required List<Tick> Major { get; init; }
        public List<double> Minor { get; init; } = [];
        public bool MinorGrid { get; init; }

        public bool Plottable(double v) => double.IsFinite(v) && (!IsLog || v > 0);

        // Halving keeps the arithmetic finite even for values near double.MaxValue.
        public double Fraction(double v) => IsLog
            ? (Math.Log10(v) - Lo) / (Hi - Lo)
            : (v / 2 - Lo / 2) / (Hi / 2 - Lo / 2);

        public static YAxis Build(List<double> values, bool zeroBased)
        {
            double minPos = double.PositiveInfinity, maxPos = 0;
            foreach (var v in values.Where(v => v > 0))
            {
                minPos = Math.Min(minPos, v);
                maxPos = Math.Max(maxPos, v);
            }
            return maxPos > 0 && maxPos / minPos > 100 ? Log(minPos, maxPos) : Linear(values.Min(), values.Max(), zeroBased);
        }

        public static YAxis Log(double minPos, double maxPos)
        {
            int lo = (int)Math.Floor(Math.Log10(minPos));
            int hi = (int)Math.Ceiling(Math.Log10(maxPos));
            if (hi <= lo) hi = lo + 1;
            int decades = hi - lo;

            int stride = (int)Math.Ceiling(decades / 8.0);
            if (stride > 5) stride = (int)NiceStep(stride);
            bool plain = lo >= -3 && hi <= 4;

            var major = new List<Tick>();
            var minor = new List<double>();
            for (int k = lo; k <= hi; k++)
            {
                if (((k % stride) + stride) % stride == 0) major.Add(new Tick(Math.Pow(10, k), DecadeLabel(k, plain)));
                else if (decades <= 60) minor.Add(Math.Pow(10, k));
                if (decades <= 6 && k < hi)
                {
                    for (int m = 2; m <= 9; m++) minor.Add(m * Math.Pow(10, k));
                }
            }
            return new YAxis { IsLog = true, Lo = lo, Hi = hi, Major = major, Minor = minor, MinorGrid = decades <= 3 };
        }

        public static YAxis Linear(double min, double max, bool zeroBased)
        {
            double lo, hi;
            if (min >= 0 && (zeroBased || min <= 0.5 * max))
            {
                lo = 0;                                    // data fills at least half of a zero-based axis
                hi = max;
            }
            else
            {
                double pad = (max / 2 - min / 2) * 0.1;    // 5 % of the span on each side
                if (pad == 0) pad = Math.Abs(max) * 0.1;
                lo = min - pad;
                hi = max + pad;
                if (min >= 0 && lo < 0) lo = 0;
                if (max <= 0 && hi > 0) hi = 0;
            }
            if (!(hi > lo)) hi = lo + 1;

            double step = NiceStep((hi / 2 - lo / 2) / 3); // aim for ~6 intervals
            long loIdx = (long)Math.Floor(lo / step), hiIdx = (long)Math.Ceiling(hi / step);
            double niceLo = loIdx * step, niceHi = hiIdx * step;
            if (!double.IsFinite(niceHi)) { niceHi = hi; hiIdx = (long)Math.Floor(hi / step); }
            if (!double.IsFinite(niceLo)) { niceLo = lo; loIdx = (long)Math.Ceiling(lo / step); }

            double maxAbs = Math.Max(Math.Abs(niceLo), Math.Abs(niceHi));
            bool sci = step < 1e-4 || maxAbs >= 1e6;
            int decimals = sci ? 0 : Math.Max(0, -(int)Math.Floor(Math.Log10(step) + 1e-9));
            var major = new List<Tick>();
            for (long i = loIdx; i <= hiIdx && major.Count < 50; i++)
            {
                double v = i * step;
                string label = i == 0 ? "0" : sci ? v.ToString("0.####e0", Inv) : v.ToString("F" + decimals.ToString(Inv), Inv);
                major.Add(new Tick(v, label));
            }
            return new YAxis { IsLog = false, Lo = niceLo, Hi = niceHi, Major = major };
        }

        private static string DecadeLabel(int k, bool plain)
        {
            if (!plain) return "1e" + k.ToString(Inv);
            return k >= 0 ? "1" + new string('0', k) : "0." + new string('0', -k - 1) + "1";
        }
    }

    /// <summary>Smallest 1, 2 or 5 times a power of ten that is at least <paramref name="raw"/>.</summary>
    private static double NiceStep(double raw)
    {
        if (!(raw > 0) || !double.IsFinite(raw)) return 1;
        double p = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double f = raw / p;
        double step = (f <= 1.0000001 ? 1 : f <= 2.0000001 ? 2 : f <= 5.0000001 ? 5 : 10) * p;
        return double.IsFinite(step) && step > 0 ? step : raw;
    }

    // ---------------------------------------------------------------- output helpers

    private static string F(double v)
    {
        if (!double.IsFinite(v)) return "0";
        string s = Math.Round(v, 2).ToString("0.##", Inv);
        return s == "-0" ? "0" : s;
    }

    private static void AppendLine(StringBuilder sb, double x1, double y1, double x2, double y2, string? stroke)
    {
        sb.Append("<line x1=\"").Append(F(x1)).Append("\" y1=\"").Append(F(y1)).Append("\" x2=\"").Append(F(x2))
          .Append("\" y2=\"").Append(F(y2)).Append('"');
        if (stroke is not null) sb.Append(" stroke=\"").Append(stroke).Append('"');
        sb.Append("/>\n");
    }

    private static void AppendText(StringBuilder sb, double x, double y, string text, double? size, string? anchor, string? fill, string? extra)
    {
        sb.Append("<text x=\"").Append(F(x)).Append("\" y=\"").Append(F(y)).Append('"');
        if (size is double s) sb.Append(" font-size=\"").Append(F(s)).Append('"');
        if (anchor is not null) sb.Append(" text-anchor=\"").Append(anchor).Append('"');
        if (fill is not null) sb.Append(" fill=\"").Append(fill).Append('"');
        if (extra is not null) sb.Append(' ').Append(extra);
        sb.Append('>').Append(Escape(text)).Append("</text>\n");
    }

    /// <summary>Single-line, length-limited version of the title for the visible heading.</summary>
    private static string DisplayTitle(string title)
    {
        var sb = new StringBuilder(Math.Min(title.Length, MaxTitleChars + 1));
        bool space = false;
        foreach (char c in title.Trim())
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c)) { space = true; continue; }
            if (space && sb.Length > 0) sb.Append(' ');
            space = false;
            sb.Append(c);
        }
        if (sb.Length == 0) return "Training loss";
        if (sb.Length <= MaxTitleChars) return sb.ToString();
        int cut = MaxTitleChars - 1;
        if (char.IsHighSurrogate(sb[cut - 1])) cut--;               // don't split a surrogate pair
        return sb.ToString(0, cut).TrimEnd() + "\u2026";
    }

    /// <summary>Escapes text for element content or attribute values; characters that XML 1.0 forbids become U+FFFD.</summary>
    private static string Escape(string s)
    {
        var sb = new StringBuilder(s.Length + 16);
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&apos;"); break;
                case '\t': sb.Append("&#x9;"); break;
                case '\n': sb.Append("&#xA;"); break;
                case '\r': sb.Append("&#xD;"); break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
                    {
                        sb.Append(c).Append(s[++i]);
                    }
                    else if (c < 0x20 || char.IsSurrogate(c) || c == '\uFFFE' || c == '\uFFFF')
                    {
                        sb.Append('\uFFFD');
                    }
                    else
                    {
                        sb.Append(c);
                    }
                    break;
            }
        }
        return sb.ToString();
    }
}

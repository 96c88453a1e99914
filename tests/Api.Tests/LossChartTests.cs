using System.Globalization;
using System.Xml.Linq;
using LstmService.Api.Jobs;

namespace LstmService.Api.Tests;

public class LossChartTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static EpochLoss E(int epoch, double train, double? validation = null) => new(epoch, train, validation, 1e-3, 1.0);

    private static XDocument Parse(string svg)
    {
        var doc = XDocument.Parse(svg);
        Assert.NotNull(doc.Root);
        Assert.Equal(Svg + "svg", doc.Root!.Name);
        Assert.NotNull(doc.Root.Attribute("viewBox"));
        return doc;
    }

    private static List<string> Texts(XDocument doc) => doc.Descendants(Svg + "text").Select(t => t.Value).ToList();

    private static List<XElement> SeriesGroup(XDocument doc, string name) =>
        doc.Descendants(Svg + "g").Where(g => (string?)g.Attribute("class") == name).ToList();

    private static IEnumerable<double> Numbers(XDocument doc, params string[] attributes) =>
        doc.Descendants().SelectMany(e => attributes.Select(a => (string?)e.Attribute(a)))
            .Where(v => v is not null)
            .Select(v => double.Parse(v!, NumberStyles.Float, CultureInfo.InvariantCulture));

    [Fact]
    public void EmptyList_RendersTitleAndPlaceholderMessage()
    {
        var doc = Parse(LossChart.Render("queued job", []));

        var texts = Texts(doc);
        Assert.Contains("queued job", texts);
        Assert.Contains("no epochs yet", texts);
        Assert.Empty(doc.Descendants(Svg + "polyline"));
        Assert.Empty(doc.Descendants(Svg + "circle"));
    }

    [Fact]
    public void SingleEpoch_DrawsVisiblePointsForBothSeries()
    {
        var doc = Parse(LossChart.Render("one", [E(1, 0.69, 0.71)]));

        Assert.Single(SeriesGroup(doc, "train-points").Descendants(Svg + "circle"));
        Assert.Single(SeriesGroup(doc, "validation-points").Descendants(Svg + "circle"));
        var texts = Texts(doc);
        Assert.Contains("train", texts);
        Assert.Contains("validation", texts);
        Assert.Contains("epoch", texts);
        Assert.Contains("loss", texts);
    }

    [Fact]
    public void WideRange_UsesLogScaleWithDecadeLabels()
    {
        var losses = Enumerable.Range(1, 200)
            .Select(e => E(e, Math.Pow(10, -6.0 * (e - 1) / 199), Math.Pow(10, -5.0 * (e - 1) / 199)))
            .ToList();

        var doc = Parse(LossChart.Render("deep run", losses));

        var texts = Texts(doc);
        Assert.Contains("loss (log scale)", texts);
        Assert.Contains("1e-3", texts);
        Assert.Contains("1e-6", texts);
        var trainLine = Assert.Single(SeriesGroup(doc, "train").Descendants(Svg + "polyline"));
        Assert.Equal(200, trainLine.Attribute("points")!.Value.Split(' ').Length);
        // 200 epochs: lines only, no per-point markers.
        Assert.Empty(SeriesGroup(doc, "train-points"));
    }

    [Fact]
    public void NarrowRange_UsesLinearScaleWithRoundTicks()
    {
        var losses = Enumerable.Range(1, 20).Select(e => E(e, 0.9 * Math.Exp(-e / 6.0) + 0.08, 0.95 * Math.Exp(-e / 7.0) + 0.1)).ToList();

        var svg = LossChart.Render("linear", losses);
        var doc = Parse(svg);

        var texts = Texts(doc);
        Assert.Contains("loss", texts);
        Assert.DoesNotContain("loss (log scale)", texts);
        Assert.Contains("0", texts);      // zero-based axis for data that fills most of it
        Assert.Contains("0.2", texts);
        Assert.Contains("0.4", texts);
        Assert.Contains("10", texts);     // epoch ticks
        Assert.Contains("20", texts);
        Assert.Equal(20, SeriesGroup(doc, "train-points").Single().Elements(Svg + "circle").Count());
        // Every coordinate is an invariant-culture number (double.Parse throws on "0,5").
        Assert.NotEmpty(Numbers(doc, "x", "y", "cx", "cy", "x1", "y1", "x2", "y2", "width", "height"));
    }

    [Fact]
    public void HostileTitle_IsEscapedAndRoundTrips()
    {
        const string title = "<script>alert('x') & \"y\"</script>";

        var svg = LossChart.Render(title, [E(1, 0.5), E(2, 0.4)]);
        var doc = Parse(svg);

        Assert.DoesNotContain("<script>", svg, StringComparison.Ordinal);
        Assert.Empty(doc.Descendants(Svg + "script"));
        Assert.Contains(title, Texts(doc));
        Assert.Equal(title, doc.Root!.Element(Svg + "title")!.Value);
    }

    [Fact]
    public void ControlCharactersInTitle_StillProduceWellFormedXml()
    {
        var doc = Parse(LossChart.Render("bad\u0001\u0000name\uD800", [E(1, 0.5)]));
        Assert.Contains(Texts(doc), t => t.StartsWith("bad", StringComparison.Ordinal));
    }

    [Fact]
    public void NonFiniteAndZeroLosses_AreSkippedAndNeverWritten()
    {
        var losses = new List<EpochLoss>
        {
            E(1, 1.0, 1.1),
            E(2, double.NaN, double.NaN),
            E(3, double.PositiveInfinity, double.NegativeInfinity),
            E(4, 0.0, 0.0),
            E(5, 1e-12, 1e-11),
            E(6, 0.5, double.NaN),
        };

        var svg = LossChart.Render("nan", losses);
        var doc = Parse(svg);

        Assert.DoesNotContain("NaN", svg, StringComparison.Ordinal);
        Assert.DoesNotContain("Infinity", svg, StringComparison.Ordinal);
        Assert.DoesNotContain("∞", svg, StringComparison.Ordinal);
        Assert.All(Numbers(doc, "x", "y", "cx", "cy", "x1", "y1", "x2", "y2"), v => Assert.True(double.IsFinite(v)));
        // 1 → 1e-12 spans 12 decades, so the axis is logarithmic and the zero epoch is skipped.
        Assert.Contains("loss (log scale)", Texts(doc));
        // Train: epoch 1, then (NaN, Inf, 0 break the line) epoch 5 and 6 → 3 plotted points in total.
        Assert.Equal(3, SeriesGroup(doc, "train-points").Single().Elements(Svg + "circle").Count());
    }

    [Fact]
    public void AllLossesNonFinite_StillRendersValidChart()
    {
        var svg = LossChart.Render("diverged", [E(1, double.NaN), E(2, double.PositiveInfinity)]);
        var doc = Parse(svg);

        Assert.DoesNotContain("NaN", svg, StringComparison.Ordinal);
        Assert.DoesNotContain("Infinity", svg, StringComparison.Ordinal);
        Assert.Contains("no finite loss values", Texts(doc));
        Assert.Empty(doc.Descendants(Svg + "polyline"));
    }

    [Fact]
    public void ValidationAllNull_OmitsValidationSeriesAndLegendEntry()
    {
        var losses = Enumerable.Range(1, 40).Select(e => E(e, 1.0 / e)).ToList();

        var svg = LossChart.Render("no val", losses);
        var doc = Parse(svg);

        Assert.Empty(SeriesGroup(doc, "validation"));
        Assert.Empty(SeriesGroup(doc, "validation-points"));
        Assert.DoesNotContain("#ff7f0e", svg, StringComparison.OrdinalIgnoreCase);
        var legend = SeriesGroup(doc, "legend").Single();
        Assert.Equal(["train"], legend.Descendants(Svg + "text").Select(t => t.Value).ToArray());
        Assert.Single(SeriesGroup(doc, "train").Single().Elements(Svg + "polyline"));
    }

    [Fact]
    public void ValidationSometimesNull_ConnectsAcrossGaps()
    {
        var losses = Enumerable.Range(1, 10).Select(e => E(e, 1.0 / e, e % 3 == 0 ? 1.2 / e : null)).ToList();

        var doc = Parse(LossChart.Render("sparse val", losses));

        var line = SeriesGroup(doc, "validation").Single().Elements(Svg + "polyline").Single();
        Assert.Equal(3, line.Attribute("points")!.Value.Split(' ').Length);
    }

    [Fact]
    public void LongHistory_IsDecimatedToBoundedSize()
    {
        var losses = Enumerable.Range(1, 50_000).Select(e => E(e, 1.0 / Math.Sqrt(e), 1.2 / Math.Sqrt(e))).ToList();

        var svg = LossChart.Render("long", losses);
        var doc = Parse(svg);

        Assert.True(svg.Length < 150_000, $"SVG is {svg.Length} chars");
        var points = SeriesGroup(doc, "train").Single().Elements(Svg + "polyline").Single().Attribute("points")!.Value.Split(' ');
        Assert.InRange(points.Length, 100, 4 * 720);
        Assert.Contains("50000", Texts(doc)); // last epoch tick
    }

    [Fact]
    public void Output_IsDeterministicAndCultureInvariant()
    {
        var losses = Enumerable.Range(1, 15).Select(e => E(e, 0.123456789 / e, 0.2 / e)).ToList();
        var previous = CultureInfo.CurrentCulture;
        string first, second;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
            first = LossChart.Render("det", losses);
            // Decimal-comma culture (predefined-only under InvariantGlobalization, so build it by hand).
            var commaCulture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
            commaCulture.NumberFormat.NumberDecimalSeparator = ",";
            commaCulture.NumberFormat.NumberGroupSeparator = ".";
            CultureInfo.CurrentCulture = commaCulture;
            second = LossChart.Render("det", losses);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }

        Assert.Equal(first, second);
        var doc = Parse(first);
        Assert.All(Texts(doc).Where(t => t.Length > 0 && char.IsDigit(t[0])), t => Assert.DoesNotContain(",", t, StringComparison.Ordinal));
        Assert.Contains("0.10", Texts(doc)); // tick labels share the step's precision: 0.05, 0.10, 0.15
    }
}

// How a job uses a CSV dataset of one or more series: the target columns, each series' gaps
// filled (and remembered, so a filled value is never scored), the season, and each series split
// by time into training, validation and test rows. Several series train one global model:
// windows never cross from one series into the next.
using LstmService.Api.Jobs;
using LstmService.Engine.Data;
using LstmService.Engine.Forecasting;

namespace LstmService.Api.Training;

/// <summary>
/// One series of a plan: <see cref="Id"/> (null when the dataset holds one series), its rows
/// with gaps filled, which cells were (null: none), and its split by time.
/// </summary>
internal sealed record PlannedSeries(string? Id, double[][] Rows, bool[][]? Missing, SeriesSplit Split)
{
    /// <summary>How the series is named in messages: "the series" or "series AAPL".</summary>
    public string Name => NameOf(Id);

    public static string NameOf(string? id) => id is null ? "the series" : $"series {id}";
}

/// <summary>
/// Windows read every column and predict <see cref="Targets"/>; with <see cref="Scaling"/>
/// <c>window</c> a <see cref="WindowModel"/> surrounds the LSTM (<see cref="Linear"/>: with a
/// linear part), else the windows are only z-scored, as any sequence.
/// </summary>
internal sealed record SeriesPlan(IReadOnlyList<PlannedSeries> Series, string[] Columns, int[] Targets, int Window, int Horizon, int SeasonLength,
    SeriesScaling Scaling, bool Linear)
{
    public string[] TargetNames => [.. Targets.Select(t => Columns[t])];
    public int[] InputColumns => [.. Enumerable.Range(0, Columns.Length)];
    /// <summary>The series' ids, null for a dataset of one series.</summary>
    public string[]? Ids => Series[0].Id is null ? null : [.. Series.Select(s => s.Id!)];

    /// <summary>
    /// The training and validation windows of every series as the LSTM sees them, and the window
    /// model that makes them so (null under z-score scaling).
    /// </summary>
    public (IReadOnlyList<Sequence> Train, IReadOnlyList<Sequence> Validation, WindowModel? Model) Windows()
    {
        var windows = Series.Select(s => s.Split.Windows(s.Rows, Window, Horizon, InputColumns, Targets)).ToList();
        if (Scaling != SeriesScaling.Window) return ([.. windows.SelectMany(w => w.Train)], [.. windows.SelectMany(w => w.Validation)], null);
        var model = WindowModel.Fit([.. Series.Select(s => s.Rows[..s.Split.ValidationStart])], [.. windows.Select(w => w.Train)], Targets, Linear);
        return ([.. windows.SelectMany((w, s) => w.Train.Select(t => model.Apply(t, s)))], [.. windows.SelectMany((w, s) => w.Validation.Select(v => model.Apply(v, s)))], model);
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the request field when the series and the request do not fit.</summary>
    public static SeriesPlan Create(TrainingRequest training, SeriesSource source, ServiceLimits limits)
    {
        int horizon = training.Horizon ?? 1;
        // A season inferred from the spacing that the training part is too short for is no season
        // (checked exactly once the split is known); one asked for is checked there, not here.
        // The shortest series decides: every series needs windows of its own.
        int season = training.SeasonLength ?? source.SeasonLength ?? 1;
        int trainingRows = (int)(source.Series.Min(s => s.Length) * (1 - training.ValidationFraction - (training.TestFraction ?? 0.1)));
        if (training.SeasonLength is null && season >= trainingRows) season = 1;
        int window = training.Window ?? TrainingDefaults.SeriesWindow(season, trainingRows);
        var targets = training.Targets?.Select(name => Array.IndexOf(source.Columns, name) is var c and >= 0 ? c
            : throw new ArgumentException($"'{name}' is not a column of this dataset; its columns are {string.Join(", ", source.Columns)}.", "training.targets")).ToArray()
            ?? [.. Enumerable.Range(0, source.Columns.Length)];

        // Each window is a copy of its rows: count the numbers before making them.
        long values = source.Series.Sum(rows => Math.Max(0L, rows.Length - window - horizon + 1)) * ((long)window * source.Columns.Length + (long)horizon * targets.Length);
        if (values > limits.MaxTrainingValues)
            throw new ArgumentException($"Windows of {window} + {horizon} steps over this dataset hold {values:N0} numbers; at most {limits.MaxTrainingValues:N0} are allowed. Use a shorter window.", "training.window");

        var series = source.Series.Select((rows, s) => Plan(training, source, rows, source.Ids?[s], window, horizon)).ToList();
        int shortest = series.Min(s => s.Split.TrainingRows);
        if (season >= shortest)
        {
            // A season inferred from the spacing that this series is too short for is no season; one asked for is a mistake.
            if (training.SeasonLength is not null)
                throw new ArgumentException($"A season of {season} steps needs a training part longer than that; {series.First(s => s.Split.TrainingRows == shortest).Name} has {shortest} training rows.", "training.seasonLength");
            season = 1;
        }
        var scaling = training.Scaling ?? SeriesScaling.Window;
        if (scaling != SeriesScaling.Window && training.Linear == true)
            throw new ArgumentException("The linear part forecasts from scaled windows: use scaling window, or leave linear out.", "training.linear");
        return new SeriesPlan(series, source.Columns, targets, window, horizon, season, scaling, scaling == SeriesScaling.Window && training.Linear != false);
    }

    // One series' split and its gaps, refused or filled as the request says.
    private static PlannedSeries Plan(TrainingRequest training, SeriesSource source, double[][] rows, string? id, int window, int horizon)
    {
        string name = PlannedSeries.NameOf(id);
        var missing = MissingValues.Mask(rows);
        if (missing is not null && training.Missing == MissingPolicy.Error)
        {
            var cells = Enumerable.Range(0, rows.Length).SelectMany(t => Enumerable.Range(0, source.Columns.Length).Where(c => missing[t][c]).Select(c => (t, c))).ToList();
            throw new ArgumentException($"{Capitalized(name)} has {cells.Count} empty cell{(cells.Count == 1 ? "" : "s")}: " +
                string.Join("; ", cells.Take(10).Select(p => $"row {p.t + 1}, column {source.Columns[p.c]}")) + (cells.Count > 10 ? "; …" : "") +
                ". Fill them in, or set training.missing to interpolate or forwardFill.", "training.missing");
        }
        SeriesSplit split;
        try
        {
            split = SeriesSplit.Create(rows.Length, window, horizon, training.ValidationFraction, training.TestFraction ?? 0.1);
        }
        catch (ArgumentException e) when (id is not null)
        {
            throw new ArgumentException($"Series {id}: {e.Message}", e.ParamName, e);
        }
        // Interpolation stays inside the training part; later gaps carry the last value forward.
        if (missing is not null && Enumerable.Range(0, source.Columns.Length).FirstOrDefault(c => rows[..split.ValidationStart].All(r => double.IsNaN(r[c])), -1) is var empty and >= 0)
            throw new ArgumentException($"Column {source.Columns[empty]} has no value in the training part of {name} (its first {split.ValidationStart} rows) to fill its gaps from.", "training.missing");
        var filled = missing is null ? rows
            : MissingValues.FillCausal(rows, training.Missing == MissingPolicy.ForwardFill ? MissingValueFill.ForwardFill : MissingValueFill.Interpolate, split.ValidationStart);
        return new PlannedSeries(id, filled, missing, split);
    }

    private static string Capitalized(string text) => char.ToUpperInvariant(text[0]) + text[1..];

    /// <summary>The request's training settings with what this plan decided filled in.</summary>
    public TrainingRequest Settings(TrainingRequest training) => training with
    {
        Window = Window, Horizon = Horizon, Targets = [.. TargetNames], SeasonLength = SeasonLength,
        TestFraction = training.TestFraction ?? 0.1, Scaling = Scaling, Linear = Linear,
    };
}

// How a job uses a CSV series: the target columns, its gaps filled (and remembered, so a filled
// value is never scored), the season, and the split by time into training, validation and test rows.
using LstmService.Api.Jobs;
using LstmService.Engine.Data;
using LstmService.Engine.Forecasting;

namespace LstmService.Api.Training;

/// <summary>
/// <see cref="Rows"/> are the series with gaps filled, <see cref="Missing"/> which cells were
/// (null: none). Windows read every column and predict <see cref="Targets"/>; with
/// <see cref="Scaling"/> <c>window</c> a <see cref="WindowModel"/> surrounds the LSTM
/// (<see cref="Linear"/>: with a linear part), else the windows are only z-scored, as any sequence.
/// </summary>
internal sealed record SeriesPlan(double[][] Rows, bool[][]? Missing, string[] Columns, int[] Targets, int Window, int Horizon, int SeasonLength, SeriesSplit Split,
    SeriesScaling Scaling, bool Linear)
{
    public string[] TargetNames => [.. Targets.Select(t => Columns[t])];
    public int[] InputColumns => [.. Enumerable.Range(0, Columns.Length)];

    /// <summary>
    /// The training and validation windows as the LSTM sees them, and the window model that makes
    /// them so (null under z-score scaling).
    /// </summary>
    public (IReadOnlyList<Sequence> Train, IReadOnlyList<Sequence> Validation, WindowModel? Model) Windows()
    {
        var (train, validation) = Split.Windows(Rows, Window, Horizon, InputColumns, Targets);
        if (Scaling != SeriesScaling.Window) return (train, validation, null);
        var model = WindowModel.Fit(Rows[..Split.ValidationStart], train, Targets, Linear);
        return ([.. train.Select(model.Apply)], [.. validation.Select(model.Apply)], model);
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the request field when the series and the request do not fit.</summary>
    public static SeriesPlan Create(TrainingRequest training, SeriesSource series, ServiceLimits limits)
    {
        int horizon = training.Horizon ?? 1;
        // A season inferred from the spacing that the training part is too short for is no season
        // (checked exactly once the split is known); one asked for is checked there, not here.
        int season = training.SeasonLength ?? series.SeasonLength ?? 1;
        int trainingRows = (int)(series.Rows.Length * (1 - training.ValidationFraction - (training.TestFraction ?? 0.1)));
        if (training.SeasonLength is null && season >= trainingRows) season = 1;
        int window = training.Window ?? TrainingDefaults.SeriesWindow(season, trainingRows);
        var targets = training.Targets?.Select(name => Array.IndexOf(series.Columns, name) is var c and >= 0 ? c
            : throw new ArgumentException($"'{name}' is not a column of this dataset; its columns are {string.Join(", ", series.Columns)}.", "training.targets")).ToArray()
            ?? [.. Enumerable.Range(0, series.Columns.Length)];

        // Each window is a copy of its rows: count the numbers before making them.
        var rows = series.Rows;
        long values = Math.Max(0L, rows.Length - window - horizon + 1) * ((long)window * series.Columns.Length + (long)horizon * targets.Length);
        if (values > limits.MaxTrainingValues)
            throw new ArgumentException($"Windows of {window} + {horizon} steps over this series hold {values:N0} numbers; at most {limits.MaxTrainingValues:N0} are allowed. Use a shorter window.", "training.window");

        var missing = MissingValues.Mask(rows);
        if (missing is not null && training.Missing == MissingPolicy.Error)
        {
            var cells = Enumerable.Range(0, rows.Length).SelectMany(t => Enumerable.Range(0, series.Columns.Length).Where(c => missing[t][c]).Select(c => (t, c))).ToList();
            throw new ArgumentException($"The series has {cells.Count} empty cell{(cells.Count == 1 ? "" : "s")}: " +
                string.Join("; ", cells.Take(10).Select(p => $"row {p.t + 1}, column {series.Columns[p.c]}")) + (cells.Count > 10 ? "; …" : "") +
                ". Fill them in, or set training.missing to interpolate or forwardFill.", "training.missing");
        }
        var split = SeriesSplit.Create(rows.Length, window, horizon, training.ValidationFraction, training.TestFraction ?? 0.1);
        // Interpolation stays inside the training part; later gaps carry the last value forward.
        if (missing is not null && Enumerable.Range(0, series.Columns.Length).FirstOrDefault(c => rows[..split.ValidationStart].All(r => double.IsNaN(r[c])), -1) is var empty and >= 0)
            throw new ArgumentException($"Column {series.Columns[empty]} has no value in the training part (its first {split.ValidationStart} rows) to fill its gaps from.", "training.missing");
        var filled = missing is null ? rows
            : MissingValues.FillCausal(rows, training.Missing == MissingPolicy.ForwardFill ? MissingValueFill.ForwardFill : MissingValueFill.Interpolate, split.ValidationStart);

        if (season >= split.TrainingRows)
        {
            // A season inferred from the spacing that this series is too short for is no season; one asked for is a mistake.
            if (training.SeasonLength is not null)
                throw new ArgumentException($"A season of {season} steps needs a training part longer than that; it has {split.TrainingRows} rows.", "training.seasonLength");
            season = 1;
        }
        var scaling = training.Scaling ?? SeriesScaling.Window;
        if (scaling != SeriesScaling.Window && training.Linear == true)
            throw new ArgumentException("The linear part forecasts from scaled windows: use scaling window, or leave linear out.", "training.linear");
        return new SeriesPlan(filled, missing, series.Columns, targets, window, horizon, season, split, scaling, scaling == SeriesScaling.Window && training.Linear != false);
    }

    /// <summary>The request's training settings with what this plan decided filled in.</summary>
    public TrainingRequest Settings(TrainingRequest training) => training with
    {
        Window = Window, Horizon = Horizon, Targets = [.. TargetNames], SeasonLength = SeasonLength,
        TestFraction = training.TestFraction ?? 0.1, Scaling = Scaling, Linear = Linear,
    };
}

// How a job uses a CSV series: the target columns, its gaps filled (and remembered, so a filled
// value is never scored), the season, and the split by time into training, validation and test rows.
using LstmService.Api.Jobs;
using LstmService.Engine.Data;

namespace LstmService.Api.Training;

/// <summary>
/// <see cref="Rows"/> are the series with gaps filled, <see cref="Missing"/> which cells were
/// (null: none). Windows read every column and predict <see cref="Targets"/>.
/// </summary>
internal sealed record SeriesPlan(double[][] Rows, bool[][]? Missing, string[] Columns, int[] Targets, int Window, int Horizon, int SeasonLength, SeriesSplit Split)
{
    public string[] TargetNames => [.. Targets.Select(t => Columns[t])];
    public int[] InputColumns => [.. Enumerable.Range(0, Columns.Length)];

    /// <summary>Throws <see cref="ArgumentException"/> naming the request field when the series and the request do not fit.</summary>
    public static SeriesPlan Create(TrainingRequest training, SeriesSource series, ServiceLimits limits)
    {
        int window = training.Window ?? throw new ArgumentException("A time-series dataset needs training.window (input steps per window).", "training.window");
        int horizon = training.Horizon ?? 1;
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

        int season = training.SeasonLength ?? series.SeasonLength ?? 1;
        if (season >= split.TrainingRows)
        {
            // A season inferred from the spacing that this series is too short for is no season; one asked for is a mistake.
            if (training.SeasonLength is not null)
                throw new ArgumentException($"A season of {season} steps needs a training part longer than that; it has {split.TrainingRows} rows.", "training.seasonLength");
            season = 1;
        }
        return new SeriesPlan(filled, missing, series.Columns, targets, window, horizon, season, split);
    }

    /// <summary>The request's training settings with what this plan decided filled in.</summary>
    public TrainingRequest Settings(TrainingRequest training) => training with
    {
        Window = Window, Horizon = Horizon, Targets = [.. TargetNames], SeasonLength = SeasonLength,
        TestFraction = training.TestFraction ?? 0.1,
    };
}

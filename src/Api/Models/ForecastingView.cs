// What a series model needs to be used and checked: the `forecasting` of its view.
using LstmService.Engine.Forecasting;

namespace LstmService.Api.Models;

/// <summary>
/// A series model reads <c>window</c> rows of every one of <c>columns</c> and forecasts
/// <c>horizon</c> rows of <c>targets</c>. <c>seasonLength</c> is the season of its seasonal-naive
/// baseline; <c>maseScale</c> per target the in-sample seasonal-naive MAE of its training part
/// (MASE's denominator, null when the training part is not longer than a season).
/// <c>intervalSteps</c>: how many forecast steps have calibrated prediction intervals (0 without
/// a validation part to calibrate them on). <c>windowModel</c>: how each window is scaled and
/// the linear part's weights, under window scaling (null: the LSTM reads z-scored values).
/// A global model of several series lists them in <c>series</c>, each with its own
/// <c>maseScale</c> (and its scaling, at the same position in <c>windowModel.scalings</c>);
/// its top-level <c>maseScale</c> is null.
/// </summary>
public sealed record ForecastingView(int Window, int Horizon, IReadOnlyList<string> Columns, IReadOnlyList<string> Targets, int SeasonLength, IReadOnlyList<double?>? MaseScale, int IntervalSteps,
    WindowModel? WindowModel = null, IReadOnlyList<ForecastSeries>? Series = null)
{
    /// <summary>Each target's position among <see cref="Columns"/>.</summary>
    internal int[] TargetColumns() => [.. Targets.Select(t => Columns.ToList().IndexOf(t))];

    /// <summary>The position of series <paramref name="id"/> (0 for a model of one series, which has no ids); -1 when the model has no such series.</summary>
    internal int SeriesIndex(string? id) => Series is null ? (id is null ? 0 : -1) : Series.ToList().FindIndex(s => s.Id == id);

    /// <summary>MASE's scale per target for the series at <paramref name="index"/>.</summary>
    internal IReadOnlyList<double?> MaseScaleOf(int index) => Series?[index].MaseScale ?? MaseScale!;
}

/// <summary>One series of a global model: its id and MASE's scale per target.</summary>
public sealed record ForecastSeries(string Id, IReadOnlyList<double?> MaseScale);

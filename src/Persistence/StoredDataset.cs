// An uploaded dataset: JSON sequences or a CSV time series, kept as compact binary.
namespace LstmService.Persistence;

public sealed class StoredDataset
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    /// <summary>"sequences" (JSON upload) or "series" (CSV time series).</summary>
    public required string Kind { get; init; }
    public DateTime CreatedAt { get; init; }
    public int SequenceCount { get; init; }
    public int InputSize { get; init; }
    /// <summary>Column names of a series (the numeric ones); null for sequences.</summary>
    public string? ColumnsJson { get; init; }
    /// <summary>Time steps of a series; null for sequences (and series stored before it was recorded).</summary>
    public int? Rows { get; init; }
    /// <summary>Empty cells of a series, stored as NaN.</summary>
    public int MissingCells { get; init; }
    /// <summary>The name of a series' time column (not a feature); null without one.</summary>
    public string? TimeColumn { get; init; }
    /// <summary>The time column's most common step as an ISO 8601 duration (PT1H, P1D, P1M).</summary>
    public string? TimeSpacing { get; init; }
    /// <summary>Steps whose spacing differs from <see cref="TimeSpacing"/>.</summary>
    public int IrregularSteps { get; init; }
    /// <summary>The season the spacing implies (hourly 24, daily 7, monthly 12, …); null without a time column.</summary>
    public int? SeasonLength { get; init; }
    /// <summary>
    /// The column naming the series each row belongs to, when a CSV holds several (each stored as
    /// one sequence labelled with its id, in order of first appearance); null for one series.
    /// </summary>
    public string? SeriesColumn { get; init; }
    public required byte[] Content { get; init; }
}

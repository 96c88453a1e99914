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
    /// <summary>Column names of a series; null for sequences.</summary>
    public string? ColumnsJson { get; init; }
    public required byte[] Content { get; init; }
}

// A stored CSV series as a job reads it: the rows (NaN where a cell was empty), the numeric
// columns' names, and the season its time column implies.
using System.Text.Json;
using LstmService.Api.Datasets;
using LstmService.Api.Infrastructure;
using LstmService.Persistence;

namespace LstmService.Api.Training;

internal sealed record SeriesSource(double[][] Rows, string[] Columns, int? SeasonLength)
{
    /// <summary>The series of a CSV dataset; null for a dataset of sequences.</summary>
    public static SeriesSource? From(StoredDataset dataset, List<Jobs.SequenceData> decoded)
    {
        if (dataset.Kind != DatasetKinds.Series) return null;
        var columns = dataset.ColumnsJson is null ? null : JsonSerializer.Deserialize<string[]>(dataset.ColumnsJson, ApiJson.Options);
        var rows = decoded[0].Inputs!;
        // Series stored before column names were kept everywhere get positional names.
        columns ??= [.. Enumerable.Range(0, rows[0].Length).Select(c => $"column{c}")];
        return new SeriesSource(rows, columns, dataset.SeasonLength);
    }
}

// A stored CSV dataset as a job reads it: one or more series (NaN where a cell was empty), the
// numeric columns' names, each series' id when there are several, and the season its time column implies.
using LstmService.Api.Datasets;
using LstmService.Api.Infrastructure;
using LstmService.Persistence;

namespace LstmService.Api.Training;

/// <summary><see cref="Ids"/>: one per series, null when the dataset is a single series.</summary>
internal sealed record SeriesSource(IReadOnlyList<double[][]> Series, string[] Columns, int? SeasonLength, string[]? Ids = null)
{
    /// <summary>The series of a CSV dataset; null for a dataset of sequences.</summary>
    public static SeriesSource? From(StoredDataset dataset, List<Jobs.SequenceData> decoded)
    {
        if (dataset.Kind != DatasetKinds.Series) return null;
        // A series dataset always stored its column names, and the id of each series when it has several.
        return new SeriesSource([.. decoded.Select(s => s.Inputs!)], ApiJson.Read<string[]>(dataset.ColumnsJson)!, dataset.SeasonLength,
            dataset.SeriesColumn is null ? null : [.. decoded.Select(s => s.Label!)]);
    }
}

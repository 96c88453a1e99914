// A stored CSV series as a job reads it: the rows (NaN where a cell was empty), the numeric
// columns' names, and the season its time column implies.
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
        // A series dataset always stored its column names.
        return new SeriesSource(decoded[0].Inputs!, ApiJson.Read<string[]>(dataset.ColumnsJson)!, dataset.SeasonLength);
    }
}

namespace LstmService.Api.Datasets;

/// <summary>What a stored dataset holds: labelled sequences (JSON upload) or whole time series (CSV) to be windowed per job.</summary>
internal static class DatasetKinds
{
    public const string Sequences = "sequences";
    public const string Series = "series";
}

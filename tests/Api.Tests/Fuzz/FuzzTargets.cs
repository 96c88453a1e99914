// What the fuzz test breaks requests against: real ids made by a valid setup, and valid bodies.
namespace LstmService.Api.Tests.Fuzz;

internal sealed record FuzzTargets(
    string RegressionModelId,   // 2 inputs → 1 output after the last step
    string ForecastModelId,     // 1 input → 1 output: its output feeds back
    string SequenceDatasetId,
    string SeriesDatasetId,     // a CSV series with one column
    string FinishedJobId,
    byte[] ModelFile)           // the regression model's exported safetensors
{
    public const string Bogus = "0123456789abcdef0123456789abcdef";
    public const string AdminKey = "fuzz-admin-key-0123456789", PredictKey = "fuzz-predict-key-0123456789";
}

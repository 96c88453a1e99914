// Request and response bodies of /api/models.
namespace LstmService.Api.Models;

/// <summary>Sequences to run: [n][T][X], in the caller's units.</summary>
/// <summary>Sequences to run; for a global model of several series, <c>series</c> names the series whose windows they are.</summary>
public sealed record PredictRequest(List<double[][]>? Sequences, string? Series = null);

/// <summary>
/// Regression: <c>outputs</c>[n] is [T][Y] for outputs on every step, [Y] for the last step.
/// Classification: <c>outputs</c>[n] is the class probabilities and <c>labels</c>[n] the most likely class.
/// </summary>
public sealed record PredictResponse(IReadOnlyList<object> Outputs, IReadOnlyList<string>? Labels);

/// <summary>
/// The series so far, [T][X] (for a series model at least its window, every column), how many
/// steps to forecast after it, and the coverage of the prediction intervals (0.5 to 0.99; 0.8 when not given).
/// A global model of several series needs <c>series</c>: the id of the series the history is of.
/// </summary>
public sealed record ForecastRequest(double[][]? History, int Horizon = 1, double? Coverage = null, string? Series = null);

/// <summary>
/// <c>forecast</c> [horizon][targets]; for a series model <c>lower</c> and <c>upper</c>, the
/// prediction interval at <c>coverage</c> for each of the first <c>intervalSteps</c> steps (the
/// steps whose calibration can give that coverage; null without calibration).
/// </summary>
public sealed record ForecastResponse(double[][] Forecast, double[][]? Lower = null, double[][]? Upper = null, double? Coverage = null, int IntervalSteps = 0);

/// <summary>The multipart form of POST /api/models/import (for the OpenAPI document; the endpoint reads the form itself).</summary>
public sealed record ImportForm(IFormFile Weights, string? Spec = null, string? Name = null);

/// <summary>
/// Data to score a model on: a stored dataset's id, or inline sequences (for a series model, one
/// sequence whose inputs are the series' rows, every column the model reads, in its order). A
/// global model of several series is scored on each series of a dataset by its id, or on inline
/// data as the series named <c>series</c>.
/// </summary>
public sealed record EvaluateRequest(string? DatasetId = null, Jobs.InlineData? Data = null, string? Series = null);

// Request and response bodies of /api/models.
namespace LstmService.Api.Models;

/// <summary>Sequences to run: [n][T][X], in the caller's units.</summary>
public sealed record PredictRequest(List<double[][]>? Sequences);

/// <summary>
/// Regression: <c>outputs</c>[n] is [T][Y] for outputs on every step, [Y] for the last step.
/// Classification: <c>outputs</c>[n] is the class probabilities and <c>labels</c>[n] the most likely class.
/// </summary>
public sealed record PredictResponse(IReadOnlyList<object> Outputs, IReadOnlyList<string>? Labels);

/// <summary>The series so far, [T][X], and how many steps to forecast after it.</summary>
public sealed record ForecastRequest(double[][]? History, int Horizon = 1);

public sealed record ForecastResponse(double[][] Forecast);

/// <summary>The multipart form of POST /api/models/import (for the OpenAPI document; the endpoint reads the form itself).</summary>
public sealed record ImportForm(IFormFile Weights, string? Spec, string? Name);

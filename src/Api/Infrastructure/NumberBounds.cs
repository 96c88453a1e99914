// The range of every bounded number a request takes, in the OpenAPI document as minimum, maximum
// and their exclusive forms, so a generated client or a form can check a value before sending it.
// The service's limits (Limits:*) set several of them, so the document shows the configured ones.
// Each bound here is the one JobValidator and the model endpoints apply; a test holds them equal.
using LstmService.Api.Jobs;
using LstmService.Api.Models;
using LstmService.Engine.Evaluation;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace LstmService.Api.Infrastructure;

internal sealed class NumberBounds(IOptions<ServiceLimits> options) : IOpenApiSchemaTransformer
{
    private sealed record Bound(double Minimum, double? Maximum = null, bool ExclusiveMinimum = false, bool ExclusiveMaximum = false);

    private readonly Dictionary<(Type?, string), Bound> _bounds = Table(options.Value);

    private static Dictionary<(Type?, string), Bound> Table(ServiceLimits limits) => new()
    {
        [(typeof(ModelRequest), "hiddenSize")] = new(1, limits.MaxHiddenSize),
        [(typeof(ModelRequest), "layers")] = new(1, limits.MaxLayers),
        [(typeof(ModelRequest), "dropout")] = new(0, 1, ExclusiveMaximum: true),
        [(typeof(OutputRequest), "size")] = new(1, limits.MaxOutputSize),
        [(typeof(TrainingRequest), "epochs")] = new(1, limits.MaxEpochs),
        [(typeof(TrainingRequest), "batchSize")] = new(1, limits.MaxBatchSize),
        [(typeof(TrainingRequest), "learningRate")] = new(0, 10, ExclusiveMinimum: true),
        [(typeof(TrainingRequest), "momentum")] = new(0, 1, ExclusiveMaximum: true),
        [(typeof(TrainingRequest), "clipNorm")] = new(0, ExclusiveMinimum: true),
        [(typeof(TrainingRequest), "validationFraction")] = new(0, 0.5),
        [(typeof(TrainingRequest), "earlyStoppingPatience")] = new(0),
        [(typeof(TrainingRequest), "window")] = new(1, limits.MaxSequenceLength),
        [(typeof(TrainingRequest), "horizon")] = new(1, limits.MaxOutputSize),
        [(typeof(TrainingRequest), "testFraction")] = new(0, 0.5),
        [(typeof(TrainingRequest), "seasonLength")] = new(1, limits.MaxSequenceLength),
        [(typeof(ForecastRequest), "horizon")] = new(1, limits.MaxForecastHorizon),
        [(typeof(ForecastRequest), "coverage")] = new(ConformalIntervals.MinCoverage, ConformalIntervals.MaxCoverage),
        // Query parameters of the lists.
        [(null, "page")] = new(1, Paging.MaxPage),
        [(null, "pageSize")] = new(1, Paging.MaxPageSize),
    };

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var key = context.JsonPropertyInfo is { } property ? (property.DeclaringType, property.Name)
            : context.ParameterDescription is { } parameter ? ((Type?)null, parameter.Name) : default;
        if (key.Item2 is null || !_bounds.TryGetValue(key, out var bound)) return Task.CompletedTask;
        string Text(double value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        if (bound.ExclusiveMinimum) schema.ExclusiveMinimum = Text(bound.Minimum);
        else schema.Minimum = Text(bound.Minimum);
        if (bound.Maximum is not { } maximum) return Task.CompletedTask;
        if (bound.ExclusiveMaximum) schema.ExclusiveMaximum = Text(maximum);
        else schema.Maximum = Text(maximum);
        return Task.CompletedTask;
    }
}

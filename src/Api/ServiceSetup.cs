// One extension method per concern, so Program.cs reads as a table of contents.
using LstmService.Api.Infrastructure;
using LstmService.Api.Jobs;
using LstmService.Api.Models;
using LstmService.Api.Training;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;

namespace LstmService.Api;

internal static class ServiceSetup
{
    /// <summary>The worker that trains queued jobs, and the doorbell that wakes it.</summary>
    public static IServiceCollection AddTrainingQueue(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<WorkerOptions>(configuration.GetSection("Training"));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<TrainingQueue>();
        services.AddSingleton<JobRunner>();
        services.AddHostedService<TrainingWorker>();
        return services;
    }

    /// <summary>Loaded models kept in memory between predictions.</summary>
    public static IServiceCollection AddModelServing(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ServingOptions>(configuration.GetSection("Serving"));
        services.AddSingleton<Training.TrainingCompute>();
        services.AddSingleton<ModelCache>();
        return services;
    }

    /// <summary>JSON dialect, limits, problem details for every error, OpenAPI, health checks.</summary>
    public static IServiceCollection AddApiConventions(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ServiceLimits>(configuration.GetSection("Limits"));
        long maxBody = configuration.GetSection("Limits").Get<ServiceLimits>()?.MaxRequestBodyBytes ?? new ServiceLimits().MaxRequestBodyBytes;
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(k => k.Limits.MaxRequestBodySize = maxBody);
        services.Configure<FormOptions>(f => f.MultipartBodyLengthLimit = maxBody);
        services.Configure<JsonOptions>(o =>
        {
            foreach (var converter in ApiJson.Options.Converters) o.SerializerOptions.Converters.Add(converter);
            o.SerializerOptions.NumberHandling = ApiJson.Options.NumberHandling;
        });
        // Malformed bodies reach the exception handler as exceptions, to be answered with problem details.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddProblemDetails();
        services.AddExceptionHandler<RequestErrorHandler>();
        services.AddOpenApi(o =>
        {
            o.AddOperationTransformer<RequestExamples>();
            o.AddOperationTransformer<ErrorResponses>();
            o.AddOperationTransformer<CsvBodies>();
            o.AddOperationTransformer<IdempotencyKeys.Document>();
            o.AddSchemaTransformer<NumberSchemas>();
            o.AddSchemaTransformer<SchemaDefaults>();
            o.AddSchemaTransformer<NumberBounds>();
            o.AddDocumentTransformer(SchemaDefaults.EnumDefaults);
            o.AddDocumentTransformer(ExactNullability.Mend);
            o.AddDocumentTransformer(DocumentInfo.Describe);
            o.AddOperationTransformer<OperationText>();
            // The server's address as the request came in, without the trailing slash that linters (and URL joining) object to.
            o.AddDocumentTransformer((document, _, _) =>
            {
                foreach (var server in document.Servers ?? []) server.Url = server.Url?.TrimEnd('/');
                return Task.CompletedTask;
            });
        });
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        // gzip and Brotli for the JSON a client reads (a long loss history shrinks about 10×). Over
        // HTTPS too: no secret is echoed in a response body, so there is nothing for BREACH to read.
        services.AddResponseCompression(o => o.EnableForHttps = true);
        // Browsers on other origins may call the API only from the origins configured (none by default).
        string[] origins = configuration.GetSection("Cors:Origins").Get<string[]>() ?? [];
        services.AddCors(o => o.AddDefaultPolicy(p => p.WithOrigins(origins).AllowAnyHeader().AllowAnyMethod().WithExposedHeaders("Location", "Retry-After", IdempotencyKeys.ReplayedHeader)));
        return services;
    }
}

// The error answers every operation can give, declared in the OpenAPI document with the problem
// details they carry, so that a generated client has a type for each: 400 for what it sends, 401
// without a valid key, 403 for a predict key on a write, 413 and 415 for its body, 429 over a
// rate limit. (404, 409 and the 415 of import are declared where they are mapped.)
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;

namespace LstmService.Api.Infrastructure;

internal sealed class ErrorResponses : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        bool takesInput = operation.RequestBody is not null || operation.Parameters?.Any(p => p.In == ParameterLocation.Query) == true;
        // The role the API-key convention gave the endpoint: an admin-only one refuses a predict key.
        bool adminOnly = metadata.OfType<AuthorizeAttribute>().Any(a => a.Policy == Security.ApiKeyRoles.Admin);
        Add(operation, context, "400", "A field is wrong; errors names each one.", takesInput, validation: true);
        Add(operation, context, "401", "No X-Api-Key, or one the service does not know (when keys are configured).", true);
        Add(operation, context, "403", "A predict key where an admin key is needed.", adminOnly);
        Add(operation, context, "413", "The body is over the service's size limit.", operation.RequestBody is not null);
        Add(operation, context, "415", "A Content-Type this operation does not take; detail names the ones it does.", operation.RequestBody is not null);
        bool idempotent = metadata.OfType<IdempotencyKeys.Marker>().Any();
        Add(operation, context, "409", "A request with the same Idempotency-Key is still running.", idempotent);
        Add(operation, context, "422", "The Idempotency-Key was sent before with a different request.", idempotent);
        Add(operation, context, "429", "Over a rate limit; Retry-After says when to try again.", metadata.OfType<EnableRateLimitingAttribute>().Any());
        return Task.CompletedTask;
    }

    private static void Add(OpenApiOperation operation, OpenApiOperationTransformerContext context, string status, string description, bool applies, bool validation = false)
    {
        operation.Responses ??= [];
        if (!applies || operation.Responses.ContainsKey(status)) return;
        operation.Responses[status] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(validation ? "HttpValidationProblemDetails" : "ProblemDetails", context.Document) },
            },
        };
    }
}

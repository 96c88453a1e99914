// Declares the X-Api-Key header in the OpenAPI document, so Swagger UI offers "Authorize" and then
// sends the key with every "Try it out".
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace LstmService.Api.Security;

internal sealed class ApiKeySecurityScheme : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[ApiKeyHandler.SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ApiKeyHandler.HeaderName,
            Description = "An admin key (everything) or a predict key (predict, forecast, reads). Not needed when the service runs without keys.",
        };
        document.Security ??= [];
        document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyHandler.SchemeName, document)] = [] });
        return Task.CompletedTask;
    }
}

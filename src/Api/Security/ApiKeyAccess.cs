// API keys wired into ASP.NET Core's authentication and authorization: the scheme, a policy per
// role, the rule each route group applies once, and the start-up check of the Auth section.
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;

namespace LstmService.Api.Security;

internal static class ApiKeyAccess
{
    public static IServiceCollection AddApiKeys(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<AuthOptions>(configuration.GetSection("Auth"));
        services.AddSingleton<ApiKeys>();
        services.AddAuthentication(ApiKeyHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyHandler>(ApiKeyHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(ApiKeyRoles.Admin, p => p.RequireRole(ApiKeyRoles.Admin))
            .AddPolicy(ApiKeyRoles.Predict, p => p.RequireRole(ApiKeyRoles.Predict, ApiKeyRoles.Admin));
        services.ConfigureAll<OpenApiOptions>(o => o.AddDocumentTransformer<ApiKeySecurityScheme>()); // so Swagger UI has "Authorize"
        return services;
    }

    /// <summary>Checks the configured keys (a bad one stops start-up here), warns when there are none.</summary>
    public static WebApplication UseApiKeys(this WebApplication app)
    {
        if (app.Services.GetRequiredService<ApiKeys>().IsOpen)
            app.Logger.LogWarning("No API keys are configured (Auth:AdminKeys, Auth:PredictKeys): anyone who can reach the service may train, predict and delete.");
        app.UseAuthentication();
        app.Use(ChallengeRouterAnswersWithoutKey);
        app.UseAuthorization();
        return app;
    }

    // When no /api endpoint takes the request (a Content-Type it does not accept: 415; a method:
    // 405), routing selects an endpoint of its own with no authorization metadata, which would
    // answer before any key was looked at. Without a valid key the caller gets the 401 the real
    // endpoint would have given; with one, the 415 or 405.
    private static async Task ChallengeRouterAnswersWithoutKey(HttpContext context, Func<Task> next)
    {
        if (context.GetEndpoint() is not (null or RouteEndpoint) && context.Request.Path.StartsWithSegments("/api")
            && context.User.Identity?.IsAuthenticated != true)
        {
            await context.ChallengeAsync();
            return;
        }
        await next();
    }

    /// <summary>
    /// Every endpoint of the group needs a key: a GET, or an endpoint marked <see cref="AllowPredictKey"/>,
    /// a predict key; anything else an admin key.
    /// </summary>
    public static RouteGroupBuilder RequireApiKey(this RouteGroupBuilder group)
    {
        // A "finally" convention runs after each endpoint's own, so it sees AllowPredictKey. Deciding by
        // method means a new endpoint that writes is admin-only unless it says otherwise.
        ((IEndpointConventionBuilder)group).Finally(endpoint =>
        {
            var methods = endpoint.Metadata.OfType<IHttpMethodMetadata>().SelectMany(m => m.HttpMethods).ToList();
            bool reads = methods.Count > 0 && methods.All(HttpMethods.IsGet);
            bool predicts = endpoint.Metadata.OfType<PredictKeyAllowed>().Any();
            endpoint.Metadata.Add(new AuthorizeAttribute(reads || predicts ? ApiKeyRoles.Predict : ApiKeyRoles.Admin));
        });
        return group;
    }

    /// <summary>A POST that computes without writing (predict, forecast): a predict key may call it.</summary>
    public static RouteHandlerBuilder AllowPredictKey(this RouteHandlerBuilder endpoint) => endpoint.WithMetadata(new PredictKeyAllowed());

    private sealed class PredictKeyAllowed;
}

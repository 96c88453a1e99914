// The ApiKey authentication scheme: the X-Api-Key header names a configured key and so a role.
// Its refusals are problem details like every other error: 401 with WWW-Authenticate: ApiKey for
// no key or an unknown one, 403 for a known key whose role may not do what was asked.
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace LstmService.Api.Security;

internal sealed class ApiKeyHandler(ApiKeys keys, IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // Open mode: everyone is admin, with no name, so rate limits fall back to the client's address.
        if (keys.IsOpen) return Task.FromResult(Success(new Claim(ClaimTypes.Role, ApiKeyRoles.Admin)));
        if (!Request.Headers.TryGetValue(HeaderName, out var presented)) return Task.FromResult(AuthenticateResult.NoResult());
        if (presented.Count != 1 || keys.Identify(presented[0] ?? "") is not { } key)
            return Task.FromResult(AuthenticateResult.Fail($"The {HeaderName} header holds no key this service knows.")); // logged: never the key
        return Task.FromResult(Success(new Claim(ClaimTypes.Name, key.Name), new Claim(ClaimTypes.Role, key.Role)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        Response.Headers.WWWAuthenticate = SchemeName;
        await TypedResults.Problem(
            title: "An API key is needed.",
            detail: result.Failure?.Message ?? $"Send a key in the {HeaderName} header.",
            statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        TypedResults.Problem(
            title: "This key may not do that.",
            detail: $"The key is a {Context.User.FindFirstValue(ClaimTypes.Role)} key; this needs an {ApiKeyRoles.Admin} key.",
            statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(Context);

    private AuthenticateResult Success(params Claim[] claims) =>
        AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
}

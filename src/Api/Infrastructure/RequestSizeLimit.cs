// Refuses a body declared larger than Limits:MaxRequestBodyBytes (Limits:MaxJsonBodyBytes for JSON,
// which expands most in memory) before reading a byte of it, with problem details. Kestrel stops
// bodies without a declared length at the same bound.
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace LstmService.Api.Infrastructure;

internal static class RequestSizeLimit
{
    public static IApplicationBuilder UseRequestSizeLimit(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var limits = http.RequestServices.GetRequiredService<IOptions<ServiceLimits>>().Value;
        bool json = http.Request.HasJsonContentType();
        long max = json ? Math.Min(limits.MaxJsonBodyBytes, limits.MaxRequestBodyBytes) : limits.MaxRequestBodyBytes;
        if (http.Request.ContentLength > max)
        {
            await TypedResults.Problem(title: "The request body is too large.",
                detail: $"At most {max} bytes are accepted{(json ? " in a JSON body (Limits:MaxJsonBodyBytes)" : " (Limits:MaxRequestBodyBytes)")}.",
                statusCode: StatusCodes.Status413PayloadTooLarge).ExecuteAsync(http);
            return;
        }
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = max;
        await next(http);
    });
}

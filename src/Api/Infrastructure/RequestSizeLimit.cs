// Refuses a body declared larger than Limits:MaxRequestBodyBytes before reading a byte of it,
// with problem details. Kestrel enforces the same limit on bodies without a declared length.
using Microsoft.Extensions.Options;

namespace LstmService.Api.Infrastructure;

internal static class RequestSizeLimit
{
    public static IApplicationBuilder UseRequestSizeLimit(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        long max = http.RequestServices.GetRequiredService<IOptions<ServiceLimits>>().Value.MaxRequestBodyBytes;
        if (http.Request.ContentLength > max)
        {
            await TypedResults.Problem(title: "The request body is too large.", detail: $"At most {max} bytes are accepted (Limits:MaxRequestBodyBytes).",
                statusCode: StatusCodes.Status413PayloadTooLarge).ExecuteAsync(http);
            return;
        }
        await next(http);
    });
}

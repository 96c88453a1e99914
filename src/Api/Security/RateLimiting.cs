// Rate limits on predictions and on work submitted (jobs, dataset uploads, model imports), with
// ASP.NET Core's limiter: a token bucket per API key, or per client address for requests without
// one. A refusal is a 429 problem with Retry-After in seconds.
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace LstmService.Api.Security;

internal static class RateLimiting
{
    /// <summary>POST predict and forecast.</summary>
    public const string Predict = "predict";

    /// <summary>POST /api/jobs, dataset uploads, model imports: one bucket for the three.</summary>
    public const string JobCreation = "job-creation";

    public static IServiceCollection AddRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RateLimits>().Bind(configuration.GetSection("RateLimits"))
            .Validate(r => r.PredictPerSecond >= 0 && r.JobsPerMinute >= 0, "RateLimits:PredictPerSecond and RateLimits:JobsPerMinute must be 0 (off) or more.")
            .Validate(r => (r.PredictPerSecond == 0 || r.PredictBurst >= 1) && (r.JobsPerMinute == 0 || r.JobsBurst >= 1), "RateLimits:PredictBurst and RateLimits:JobsBurst must be at least 1 when their limit is on.")
            .ValidateOnStart();
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = Reject;
            o.AddPolicy(Predict, http => Bucket(http, Predict, r => (r.PredictPerSecond, TimeSpan.FromSeconds(1), r.PredictBurst)));
            o.AddPolicy(JobCreation, http => Bucket(http, JobCreation, r => (r.JobsPerMinute, TimeSpan.FromMinutes(1), r.JobsBurst)));
        });
        return services;
    }

    public static WebApplication UseRateLimits(this WebApplication app)
    {
        app.UseRateLimiter(); // after UseApiKeys: the partition is the authenticated key
        return app;
    }

    private static RateLimitPartition<string> Bucket(HttpContext http, string policy, Func<RateLimits, (int Count, TimeSpan Per, int Burst)> select)
    {
        var (count, per, burst) = select(http.RequestServices.GetRequiredService<IOptions<RateLimits>>().Value);
        if (count == 0) return RateLimitPartition.GetNoLimiter(policy);
        // One token every per/count, so the lease's RetryAfter is the time until the next one.
        return RateLimitPartition.GetTokenBucketLimiter(Client(http), _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst, TokensPerPeriod = 1, ReplenishmentPeriod = per / count, QueueLimit = 0,
        });
    }

    // The key's name (its role and position, never the key), else the client's address. Behind a
    // reverse proxy that address is the proxy's unless forwarded headers are enabled (docs/operations.md).
    private static string Client(HttpContext http) =>
        http.User.Identity?.Name is { } key ? $"key {key}" : $"address {http.Connection.RemoteIpAddress}";

    private static async ValueTask Reject(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)) : 1;
        context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await TypedResults.Problem(
            type: "https://tools.ietf.org/html/rfc6585#section-4",
            title: "Too many requests.",
            detail: $"This API key (or client address, without a key) has used up its rate limit for this kind of request; retry after {seconds} s.",
            statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(context.HttpContext);
    }
}

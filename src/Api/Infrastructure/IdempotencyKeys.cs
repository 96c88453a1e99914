// An Idempotency-Key header on the POSTs that create something (jobs, datasets, model imports), as
// in the IETF draft (draft-ietf-httpapi-idempotency-key-header) and Stripe's API: a client that
// retries after a lost answer gets the first answer again (with Idempotent-Replayed: true), not a
// second job. Only a success is kept; after an error the same key may be sent again, corrected.
using System.Security.Claims;
using System.Security.Cryptography;
using LstmService.Persistence;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.EntityFrameworkCore;
using Microsoft.OpenApi;

namespace LstmService.Api.Infrastructure;

internal static class IdempotencyKeys
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    /// <summary>How long an answer is kept for retries.</summary>
    private static readonly TimeSpan Expiry = TimeSpan.FromHours(24);
    // A reservation whose request never answered (the process stopped) frees its key after this.
    private static readonly TimeSpan Abandoned = TimeSpan.FromMinutes(10);
    // Expired answers are deleted at most this often, not by every keyed request.
    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(1);
    private static long _nextPruneTicks;

    /// <summary>The endpoint metadata that makes a POST honour the header.</summary>
    public sealed class Marker;

    public static TBuilder WithIdempotencyKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new Marker());

    public static IApplicationBuilder UseIdempotencyKeys(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.GetEndpoint()?.Metadata.GetMetadata<Marker>() is null || !http.Request.Headers.TryGetValue(Header, out var values))
        {
            await next(http);
            return;
        }
        string key = values.ToString();
        if (values.Count != 1 || key.Length is 0 or > IdempotentRequest.MaxKeyLength || key.Any(c => c is < '!' or > '~'))
        {
            await Problems.Invalid(Header, $"One key of 1 to {IdempotentRequest.MaxKeyLength} visible ASCII characters, such as a UUID.").ExecuteAsync(http);
            return;
        }

        using var scope = http.RequestServices.CreateScope(); // not the endpoint's context: its own writes stay its own
        var db = scope.ServiceProvider.GetRequiredService<LstmDbContext>();
        var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        string caller = http.User.FindFirstValue(ClaimTypes.Name) ?? "";
        string hash = await HashAsync(http.Request, http.RequestAborted);
        long pruneAt = Volatile.Read(ref _nextPruneTicks);
        if (now.Ticks >= pruneAt && Interlocked.CompareExchange(ref _nextPruneTicks, (now + PruneEvery).Ticks, pruneAt) == pruneAt)
            await db.IdempotentRequests.Where(r => r.CreatedAt < now - Expiry).ExecuteDeleteAsync(http.RequestAborted);

        var earlier = await db.IdempotentRequests.AsNoTracking().SingleOrDefaultAsync(r => r.Caller == caller && r.Key == key, http.RequestAborted);
        // An answer past its expiry (not pruned yet), or a reservation whose request never answered, frees the key.
        if (earlier is not null && (earlier.CreatedAt < now - Expiry || earlier.StatusCode is null && earlier.CreatedAt < now - Abandoned))
        {
            var stale = earlier.CreatedAt;
            await db.IdempotentRequests.Where(r => r.Caller == caller && r.Key == key && r.CreatedAt == stale).ExecuteDeleteAsync(http.RequestAborted);
            earlier = null;
        }
        if (earlier is not null)
        {
            await Answer(http, earlier, hash);
            return;
        }
        var reservation = new IdempotentRequest { Caller = caller, Key = key, RequestHash = hash, CreatedAt = now };
        db.IdempotentRequests.Add(reservation);
        try
        {
            await db.SaveChangesAsync(http.RequestAborted);
        }
        catch (DbUpdateException)
        {
            // The same key, reserved a moment ago by a concurrent request; any other failure is not ours to answer.
            if (!await db.IdempotentRequests.AnyAsync(r => r.Caller == caller && r.Key == key, CancellationToken.None)) throw;
            await InProgress().ExecuteAsync(http);
            return;
        }

        var body = http.Response.Body;
        using var answer = new MemoryStream();
        http.Response.Body = answer;
        bool kept = false;
        try
        {
            await next(http);
            if (http.Response.StatusCode is >= 200 and < 300)
            {
                reservation.StatusCode = http.Response.StatusCode;
                reservation.Location = http.Response.Headers.Location.ToString() is { Length: > 0 } location ? location : null;
                reservation.ContentType = http.Response.ContentType;
                reservation.Body = answer.ToArray();
                await db.SaveChangesAsync(CancellationToken.None);
                kept = true;
            }
        }
        finally
        {
            http.Response.Body = body;
            if (!kept)
            {
                db.IdempotentRequests.Remove(reservation);
                await db.SaveChangesAsync(CancellationToken.None);
            }
        }
        answer.Position = 0;
        await answer.CopyToAsync(body, http.RequestAborted);
    });

    private static async Task Answer(HttpContext http, IdempotentRequest earlier, string hash)
    {
        if (earlier.RequestHash != hash)
        {
            await TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "The Idempotency-Key belongs to another request.",
                detail: $"This {Header} was sent before with a different method, path, query or body. Use a new key for a new request.").ExecuteAsync(http);
            return;
        }
        if (earlier.StatusCode is not { } status)
        {
            await InProgress().ExecuteAsync(http);
            return;
        }
        http.Response.StatusCode = status;
        http.Response.Headers[ReplayedHeader] = "true";
        if (earlier.Location is { } location) http.Response.Headers.Location = location;
        if (earlier.ContentType is { } contentType) http.Response.ContentType = contentType;
        await http.Response.Body.WriteAsync(earlier.Body ?? [], http.RequestAborted);
    }

    private static IResult InProgress() => Problems.Conflict("A request with this Idempotency-Key is still running.",
        "Retry once it has answered; the retry then gets its answer.");

    // What makes two requests the same request: method, path, query and body.
    private static async Task<string> HashAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        request.EnableBuffering();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n"));
        var buffer = new byte[81920];
        for (int read; (read = await request.Body.ReadAsync(buffer, cancellationToken)) > 0;) hash.AppendData(buffer, 0, read);
        request.Body.Position = 0;
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    /// <summary>The header in the OpenAPI document of every operation that honours it.</summary>
    public sealed class Document : IOpenApiOperationTransformer
    {
        public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
        {
            if (!context.Description.ActionDescriptor.EndpointMetadata.OfType<Marker>().Any()) return Task.CompletedTask;
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = Header,
                In = ParameterLocation.Header,
                Description = "A key of your choosing (a UUID) that makes a retry safe: the same request sent again with the same key within 24 hours "
                    + "gets the first answer, with Idempotent-Replayed: true, instead of creating a second resource.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = IdempotentRequest.MaxKeyLength },
            });
            return Task.CompletedTask;
        }
    }
}

// One hostile request of the fuzz test: what it is (its kind, for the per-kind counts), what to
// send, and which 4xx answers are right for it.
using System.Text;

namespace LstmService.Api.Tests.Fuzz;

internal sealed record MalformedRequest(string Kind, HttpMethod Method, string Path, byte[]? Body, string? ContentType, int[] Expected, string? Field = null)
{
    /// <summary>The X-Api-Key sent: the admin key unless a request is about keys; null sends none.</summary>
    public string? ApiKey { get; init; } = FuzzTargets.AdminKey;

    public static MalformedRequest Json(string kind, string path, string body, string? field = null, params int[] expected) =>
        new(kind, HttpMethod.Post, path, Encoding.UTF8.GetBytes(body), "application/json", expected.Length == 0 ? [400] : expected, field);

    public HttpRequestMessage ToMessage()
    {
        var message = new HttpRequestMessage(Method, Path);
        if (ApiKey is not null) message.Headers.Add("X-Api-Key", ApiKey);
        if (Body is null) return message;
        message.Content = new ByteArrayContent(Body);
        // Unvalidated, so that broken content types reach the service as sent.
        if (ContentType is not null) message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
        return message;
    }

    /// <summary>The request as a person reproducing it needs it: method, path, content type, the body's start.</summary>
    public override string ToString()
    {
        string body = Body is null ? "" : ContentType?.StartsWith("application/json") == true || ContentType?.StartsWith("text/") == true
            ? Encoding.UTF8.GetString(Body, 0, Math.Min(Body.Length, 400))
            : Convert.ToHexString(Body, 0, Math.Min(Body.Length, 200));
        string key = ApiKey == FuzzTargets.AdminKey ? "" : $"X-Api-Key {ApiKey ?? "none"}, ";
        return $"[{Kind}] {Method} {Path} ({key}{ContentType ?? "no content type"}, {Body?.Length ?? 0} bytes, expects {string.Join("/", Expected)}{(Field is null ? "" : $" naming {Field}")}) {body}";
    }
}

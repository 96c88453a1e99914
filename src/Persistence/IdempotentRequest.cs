// A POST sent with an Idempotency-Key: reserved while the first request runs, then holding the
// answer it got, so that a retry with the same key gets that answer instead of a second job.
namespace LstmService.Persistence;

public sealed class IdempotentRequest
{
    public const int MaxKeyLength = 255;

    /// <summary>Whose key it is: the API key's name, or empty when the service has no keys.</summary>
    public required string Caller { get; init; }
    public required string Key { get; init; }
    /// <summary>SHA-256 of method, path, query and body, in hex: a key reused for another request is refused.</summary>
    public required string RequestHash { get; init; }
    public DateTime CreatedAt { get; init; }
    /// <summary>Null while the first request runs.</summary>
    public int? StatusCode { get; set; }
    public string? Location { get; set; }
    public string? ContentType { get; set; }
    public byte[]? Body { get; set; }
}

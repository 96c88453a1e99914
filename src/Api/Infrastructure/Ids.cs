namespace LstmService.Api.Infrastructure;

/// <summary>Resource ids: 32 hex digits, unguessable and URL-safe.</summary>
internal static class Ids
{
    public static string New() => Guid.NewGuid().ToString("N");
}

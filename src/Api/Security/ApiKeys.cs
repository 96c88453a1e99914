// The configured API keys, checked at start-up and kept only as SHA-256 hashes. A presented key
// is hashed too and compared with every configured hash in constant time, so neither its content
// nor its length shows in how long the answer takes.
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace LstmService.Api.Security;

/// <summary>A configured key as the service names it (never the key itself): e.g. <c>admin #0</c>.</summary>
internal sealed record ApiKey(string Name, string Role);

internal sealed class ApiKeys
{
    public const int MinimumLength = 16;

    private readonly (byte[] Hash, ApiKey Key)[] _keys;

    public ApiKeys(IOptions<AuthOptions> options)
    {
        var configured = Entries("AdminKeys", options.Value.AdminKeys, ApiKeyRoles.Admin)
            .Concat(Entries("PredictKeys", options.Value.PredictKeys, ApiKeyRoles.Predict)).ToList();
        foreach (var (setting, key, _, _) in configured)
        {
            // The messages name the setting, never the key.
            if (key.Length < MinimumLength)
                throw new InvalidOperationException($"{setting} is {key.Length} characters long; an API key needs at least {MinimumLength} (generate one with: openssl rand -hex 32).");
            if (key.Trim().Length != key.Length)
                throw new InvalidOperationException($"{setting} begins or ends with white space, which HTTP strips from header values: no request could present it.");
        }
        var roles = configured.GroupBy(c => c.Key, StringComparer.Ordinal).FirstOrDefault(g => g.Select(c => c.Role).Distinct().Count() > 1);
        if (roles is not null)
            throw new InvalidOperationException($"{string.Join(" and ", roles.Select(c => c.Setting))} are the same key in two roles; give each role its own key.");
        _keys = configured.Select(c => (Hash(c.Key), new ApiKey($"{c.Role} #{c.Index}", c.Role))).ToArray();
    }

    /// <summary>No key configured: every endpoint is open.</summary>
    public bool IsOpen => _keys.Length == 0;

    /// <summary>The configured key equal to <paramref name="presented"/>, or null.</summary>
    public ApiKey? Identify(string presented)
    {
        var hash = Hash(presented);
        ApiKey? found = null;
        foreach (var (configured, key) in _keys)
            if (CryptographicOperations.FixedTimeEquals(hash, configured)) found = key; // no early exit: every key costs the same
        return found;
    }

    private static IEnumerable<(string Setting, string Key, string Role, int Index)> Entries(string list, string[] keys, string role) =>
        keys.Select((key, i) => ($"Auth:{list}:{i}", key ?? "", role, i)); // an empty setting binds as null

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}

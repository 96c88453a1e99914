// The Auth configuration section: the keys that may call the API, per role. None at all = open.
namespace LstmService.Api.Security;

internal sealed class AuthOptions
{
    /// <summary>Keys that may do everything. Environment: <c>Auth__AdminKeys__0=…</c>.</summary>
    public string[] AdminKeys { get; set; } = [];

    /// <summary>Keys that may predict, forecast and read, but not write.</summary>
    public string[] PredictKeys { get; set; } = [];
}

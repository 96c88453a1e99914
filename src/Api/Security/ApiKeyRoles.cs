// The two roles a key can have, which are also the names of the authorization policies.
namespace LstmService.Api.Security;

internal static class ApiKeyRoles
{
    /// <summary>Everything: train, import, upload, cancel, delete, and all a predict key may do.</summary>
    public const string Admin = "admin";

    /// <summary>Predict, forecast, and every GET.</summary>
    public const string Predict = "predict";
}

// The engine's one way of refusing a bad argument: an ArgumentException whose ParamName is the
// field and whose message starts with it.
namespace LstmService.Engine;

internal static class Validation
{
    public static void Require(bool ok, string field, string why)
    {
        if (!ok) throw new ArgumentException($"{field} {why}.", field);
    }
}

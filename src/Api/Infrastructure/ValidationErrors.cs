// Collects "field → what is wrong" for a 400 problem-details response. Field names are the JSON
// paths a client sent (data.sequences[3].inputs[2], model.hiddenSize). Capped, so a huge bad
// request gets a short answer.
namespace LstmService.Api.Infrastructure;

public sealed class ValidationErrors
{
    private const int MaxFields = 25;
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsEmpty => _errors.Count == 0;
    public bool IsFull => _errors.Count >= MaxFields;

    public void Add(string field, string message)
    {
        if (_errors.TryGetValue(field, out var list)) list.Add(message);
        else if (!IsFull) _errors[field] = [message];
    }

    /// <summary>Adds the error when <paramref name="ok"/> is false; returns <paramref name="ok"/>.</summary>
    public bool Require(bool ok, string field, string message)
    {
        if (!ok) Add(field, message);
        return ok;
    }

    public Dictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
}

// Breaks one thing in a valid JSON body: the value at a path becomes any raw token (which need not
// be valid JSON: NaN, 1e309, a 10,000-deep array), or the body is cut short.
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace LstmService.Api.Tests.Fuzz;

internal static partial class JsonMutation
{
    private const string Hole = "__fuzz_hole__";

    /// <summary>The body with the value at <paramref name="path"/> (e.g. <c>data.sequences[1].inputs[0][1]</c>) replaced by <paramref name="rawToken"/>.</summary>
    public static string Replace(string body, string path, string rawToken)
    {
        var root = JsonNode.Parse(body)!;
        var (parent, last) = Walk(root, path);
        if (last is int index) parent.AsArray()[index] = JsonValue.Create(Hole);
        else parent.AsObject()[(string)last] = JsonValue.Create(Hole);
        return root.ToJsonString().Replace($"\"{Hole}\"", rawToken, StringComparison.Ordinal);
    }

    /// <summary>Paths of every number under <paramref name="under"/> (the data values of a body).</summary>
    public static List<string> NumberPaths(string body, string under)
    {
        var paths = new List<string>();
        Collect(JsonNode.Parse(body)![under], under, paths);
        return paths;
    }

    public static string Nested(int depth, string inner = "1") => new string('[', depth) + inner + new string(']', depth);

    private static void Collect(JsonNode? node, string path, List<string> paths)
    {
        switch (node)
        {
            case JsonArray array:
                for (int i = 0; i < array.Count; i++) Collect(array[i], $"{path}[{i}]", paths);
                break;
            case JsonObject obj:
                foreach (var (name, child) in obj) Collect(child, $"{path}.{name}", paths);
                break;
            case JsonValue value when value.GetValueKind() == System.Text.Json.JsonValueKind.Number:
                paths.Add(path);
                break;
        }
    }

    private static (JsonNode Parent, object Last) Walk(JsonNode root, string path)
    {
        var segments = Segment().Matches(path).Select(m => m.Groups[2].Success ? (object)int.Parse(m.Groups[2].Value) : m.Groups[1].Value).ToList();
        var node = root;
        foreach (var segment in segments[..^1])
            node = segment is int i ? node[i]! : node[(string)segment] ??= new JsonObject();
        return (node, segments[^1]);
    }

    [GeneratedRegex(@"([^.\[\]]+)|\[(\d+)\]")]
    private static partial Regex Segment();
}

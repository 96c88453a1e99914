// A JSON body checked against the request type it is meant to be, before it is deserialized:
// every field the type does not have ("did you mean" the close one), every value of the wrong
// kind, every enum value that is not allowed (the allowed ones listed). The deserializer stops at
// the first problem and names .NET types; a client wants every problem, in its own terms.
using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LstmService.Api.Infrastructure;

internal static class JsonShape
{
    private static readonly ConcurrentDictionary<Type, Dictionary<string, Type>> FieldsOf = new();
    private static readonly ConcurrentDictionary<Type, string[]> EnumNames = new();

    /// <summary>Adds to <paramref name="errors"/> each place where <paramref name="value"/> does not fit <paramref name="type"/>.</summary>
    public static void Check(JsonElement value, Type type, ValidationErrors errors) => Check(value, type, "", errors);

    private static void Check(JsonElement value, Type type, string path, ValidationErrors errors)
    {
        if (errors.IsFull) return;
        var underlying = Nullable.GetUnderlyingType(type);
        if (value.ValueKind == JsonValueKind.Null)
        {
            if (type.IsValueType && underlying is null) errors.Add(Field(path), "Must not be null.");
            return;
        }
        type = underlying ?? type;
        if (type == typeof(string)) Require(value.ValueKind == JsonValueKind.String, path, "Must be a string.", errors);
        else if (type == typeof(bool)) Require(value.ValueKind is JsonValueKind.True or JsonValueKind.False, path, "Must be true or false.", errors);
        else if (type.IsEnum) CheckEnum(value, type, path, errors);
        else if (type == typeof(double) || type == typeof(float))
            Require(value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double d) && double.IsFinite(d), path, "Must be a finite number.", errors);
        else if (type == typeof(int) || type == typeof(long) || type == typeof(ulong)) CheckInteger(value, type, path, errors);
        else if (ElementType(type) is { } element)
        {
            if (!Require(value.ValueKind == JsonValueKind.Array, path, "Must be an array.", errors)) return;
            int i = 0;
            foreach (var item in value.EnumerateArray())
            {
                // Inline data are millions of numbers: check each without making its path unless it is wrong.
                if (element == typeof(double) && item.ValueKind == JsonValueKind.Number && item.TryGetDouble(out double x) && double.IsFinite(x)) i++;
                else Check(item, element, $"{path}[{i++}]", errors);
            }
        }
        else if (type.IsClass && type != typeof(object)) CheckObject(value, type, path, errors);
    }

    private static void CheckObject(JsonElement value, Type type, string path, ValidationErrors errors)
    {
        if (!Require(value.ValueKind == JsonValueKind.Object, path, "Must be an object.", errors)) return;
        var fields = FieldsOf.GetOrAdd(type, Fields);
        foreach (var property in value.EnumerateObject())
        {
            string at = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
            if (fields.TryGetValue(property.Name, out var fieldType)) Check(property.Value, fieldType, at, errors);
            else errors.Add(at, Unknown(property.Name, fields.Keys));
        }
    }

    private static void CheckEnum(JsonElement value, Type type, string path, ValidationErrors errors)
    {
        string[] names = EnumNames.GetOrAdd(type, t => [.. t.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => f.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(f.Name))]);
        string? given = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        Require(given is not null && names.Contains(given, StringComparer.OrdinalIgnoreCase), path,
            $"{(given is null ? "Must be a string" : $"'{given}' is not allowed")}: one of {string.Join(", ", names)}.", errors);
    }

    private static void CheckInteger(JsonElement value, Type type, string path, ValidationErrors errors)
    {
        bool fits = value.ValueKind == JsonValueKind.Number && (type == typeof(int) ? value.TryGetInt32(out _)
            : type == typeof(long) ? value.TryGetInt64(out _) : value.TryGetUInt64(out _));
        if (fits) return;
        // A whole number too big (or, for a seed, below 0) says the range; anything else, what kind.
        bool whole = value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double d) && double.IsFinite(d) && d == Math.Floor(d);
        var (min, max) = type == typeof(int) ? ((object)int.MinValue, (object)int.MaxValue) : type == typeof(long) ? (long.MinValue, long.MaxValue) : (0UL, ulong.MaxValue);
        errors.Add(Field(path), whole ? $"Must be a whole number from {min} to {max}." : "Must be a whole number.");
    }

    // "Did you mean" the known field that differs only in case, underscores or a letter or two,
    // or whose words' initials it is (lr: learningRate); else the fields there are.
    private static string Unknown(string name, IEnumerable<string> known)
    {
        string Plain(string s) => s.Replace("_", "").Replace("-", "").ToLowerInvariant();
        string Initials(string s) => string.Concat(s.Where((c, i) => i == 0 || char.IsUpper(c))).ToLowerInvariant();
        var close = known.Select(k => (k, Distance(Plain(k), Plain(name)))).Where(p => p.Item2 <= Math.Max(1, p.k.Length / 4) || (name.Length > 1 && Initials(p.k) == name.ToLowerInvariant()))
            .OrderBy(p => p.Item2).Select(p => p.k).FirstOrDefault();
        return close is not null ? $"There is no field '{name}' here. Did you mean '{close}'?" : $"There is no field '{name}' here; the fields are {string.Join(", ", known)}.";
    }

    // Levenshtein distance: edits that turn one name into the other.
    private static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }

    // The JSON fields of a request type: its public properties by their JSON names, [JsonIgnore] left
    // out, matched in any case as the deserializer (web defaults) matches them.
    private static Dictionary<string, Type> Fields(Type type) => type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.GetCustomAttribute<JsonIgnoreAttribute>() is not { Condition: JsonIgnoreCondition.Always } && p.GetIndexParameters().Length == 0)
        .ToDictionary(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(p.Name), p => p.PropertyType, StringComparer.OrdinalIgnoreCase);

    /// <summary>The item type of an array or list type; null for any other.</summary>
    public static Type? ElementType(Type type) => type.IsArray ? type.GetElementType()
        : type.IsGenericType && type.GetGenericArguments() is [var item] && typeof(IEnumerable<>).MakeGenericType(item).IsAssignableFrom(type) ? item : null;

    private static bool Require(bool ok, string path, string message, ValidationErrors errors) => errors.Require(ok, Field(path), message);

    private static string Field(string path) => path.Length == 0 ? "body" : path;
}

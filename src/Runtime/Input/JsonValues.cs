using System.Text.Json;

namespace HeadPursuit.Runtime.Input;

/// <summary>
/// The one place where a JSON value is read as a type: each read checks the value's kind and range and refuses anything
/// else with a <see cref="ModelFormatException"/> naming <c>where</c> (the file and field), instead of the
/// InvalidOperationException, FormatException or OverflowException that JsonElement's getters throw.
/// </summary>
internal static class JsonValues
{
    public static string String(JsonElement v, string where)
    {
        if (v.ValueKind != JsonValueKind.String) throw Expected(v, where, "a string");
        try { return v.GetString()!; }
        catch (InvalidOperationException) { throw new ModelFormatException($"{where}: the string is not valid Unicode (an unpaired surrogate escape)"); }
    }

    public static bool Bool(JsonElement v, string where) => v.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw Expected(v, where, "true or false"),
    };

    /// <summary>An integer within [<paramref name="min"/>, <paramref name="max"/>]; 3.0 counts, 2.5 does not.</summary>
    public static int Int(JsonElement v, string where, int min = int.MinValue, int max = int.MaxValue) => (int)Long(v, where, min, max);

    public static long Long(JsonElement v, string where, long min = long.MinValue, long max = long.MaxValue)
    {
        if (v.ValueKind != JsonValueKind.Number) throw Expected(v, where, Range("an integer", min, max));
        if (!v.TryGetInt64(out long x))
        {
            if (!v.TryGetDouble(out double d) || d != Math.Floor(d) || d < long.MinValue || d >= 9.2233720368547758E18)
                throw Expected(v, where, Range("an integer", min, max));
            x = (long)d;
        }
        return x >= min && x <= max ? x : throw Expected(v, where, Range("an integer", min, max));
    }

    /// <summary>A finite number (JSON cannot hold NaN, but 1e999 overflows to infinity).</summary>
    public static double Double(JsonElement v, string where)
    {
        if (v.ValueKind != JsonValueKind.Number) throw Expected(v, where, "a number");
        return v.TryGetDouble(out double d) && double.IsFinite(d) ? d : throw Expected(v, where, "a finite number");
    }

    public static JsonElement Object(JsonElement v, string where) => v.ValueKind == JsonValueKind.Object ? v : throw Expected(v, where, "an object");

    public static JsonElement Array(JsonElement v, string where) => v.ValueKind == JsonValueKind.Array ? v : throw Expected(v, where, "a list");

    /// <summary>The elements of a list, each read by <paramref name="read"/> with its index in the name.</summary>
    public static T[] List<T>(JsonElement v, string where, Func<JsonElement, string, T> read) =>
        [.. Array(v, where).EnumerateArray().Select((x, i) => read(x, $"{where}[{i}]"))];

    /// <summary>The field of an object, or null when it is absent or JSON null (as Hugging Face's readers treat both).</summary>
    public static JsonElement? Field(JsonElement obj, string name, string where) =>
        Object(obj, where).TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    public static JsonElement Required(JsonElement obj, string name, string where) =>
        Field(obj, name, where) ?? throw new ModelFormatException($"{where}: missing field \"{name}\"");

    static string Range(string what, long min, long max) =>
        (min, max) switch
        {
            (long.MinValue or int.MinValue, long.MaxValue or int.MaxValue) => what,
            (_, long.MaxValue or int.MaxValue) => $"{what} >= {min}",
            _ => $"{what} in [{min}, {max}]",
        };

    static ModelFormatException Expected(JsonElement v, string where, string what)
    {
        string raw = v.ValueKind is JsonValueKind.Object or JsonValueKind.Array ? JsonSerializer.Serialize(v) : v.GetRawText();   // on one line
        return new ModelFormatException($"{where} = {(raw.Length <= 60 ? raw : raw[..57] + "...")} should be {what}");
    }
}

using System.Text;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;

namespace HeadPursuit.Cli.Tests.Fuzz;

/// <summary>The ways a fuzz test damages an input file.</summary>
public enum MutationKind
{
    /// <summary>1 to 8 bytes set to random values (within the first <see cref="Mutation.Limit"/> bytes when set).</summary>
    FlipBytes,
    Truncate,
    /// <summary>An invalid UTF-8 sequence inserted just after a quote (inside a JSON string) or anywhere in a text.</summary>
    InvalidUtf8,
    /// <summary>A JSON value replaced by one of another type or out of range (a string, 2.5, -3, 1e300, 2^70, 1e999, null, ...).</summary>
    JsonTypeSwap,
    /// <summary>A JSON field removed.</summary>
    JsonRemoveField,
    /// <summary>F32 elements of a safetensors file's data set to NaN or an infinity.</summary>
    NanInf,
}

/// <summary>
/// One damage to an input: its kind and the random numbers that place it. Applying it to the same seed file always
/// gives the same bytes, so a failing case FsCheck prints can be replayed.
/// </summary>
public sealed record Mutation(MutationKind Kind, int Position, int Value, int Count)
{
    /// <summary>Where byte flips land: the first Limit bytes (a safetensors header), or anywhere when 0.</summary>
    public int Limit { get; init; }

    static readonly byte[][] InvalidSequences =
        [[0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80], [0xC0, 0xAF]];

    const string Placeholder = "fuzz-replacement-7f3a";

    static readonly string[] Replacements =
        ["\"bogus\"", "2.5", "-3", "1e300", "1180591620717411303424", "1e999", "-1e999", "null", "true", "[1,\"x\"]", "{\"a\":1}", "\"\"", "0", "\"\\ud800\""];

    /// <summary>Mutations of the given kinds, each placed by numbers FsCheck draws.</summary>
    public static Arbitrary<Mutation> Of(int limit, params MutationKind[] kinds) =>
        (from kind in Gen.Elements(kinds)
         from position in Gen.Choose(0, int.MaxValue - 1)
         from value in Gen.Choose(0, int.MaxValue - 1)
         from count in Gen.Choose(1, 8)
         select new Mutation(kind, position, value, count) { Limit = limit }).ToArbitrary();

    public byte[] Apply(byte[] seed) => Kind switch
    {
        MutationKind.FlipBytes => Flip(seed),
        MutationKind.Truncate => seed[..(Position % Math.Max(1, seed.Length))],
        MutationKind.InvalidUtf8 => InsertInvalidUtf8(seed),
        MutationKind.JsonTypeSwap => EditJson(seed, remove: false),
        MutationKind.JsonRemoveField => EditJson(seed, remove: true),
        MutationKind.NanInf => NonFiniteFloats(seed),
        _ => throw new ArgumentOutOfRangeException(nameof(Kind)),
    };

    byte[] Flip(byte[] seed)
    {
        var b = (byte[])seed.Clone();
        int span = Limit > 0 ? Math.Min(Limit, b.Length) : b.Length;
        var rng = new Random(Value);
        for (int i = 0; i < Count && span > 0; i++) b[(Position + rng.Next(span)) % span] = (byte)rng.Next(256);
        return b;
    }

    byte[] InsertInvalidUtf8(byte[] seed)
    {
        var quotes = Enumerable.Range(0, seed.Length).Where(i => seed[i] == (byte)'"').ToArray();
        int at = quotes.Length > 0 ? quotes[Position % quotes.Length] + 1 : Position % (seed.Length + 1);
        return [.. seed[..at], .. InvalidSequences[Value % InvalidSequences.Length], .. seed[at..]];
    }

    byte[] EditJson(byte[] seed, bool remove)
    {
        var root = JsonNode.Parse(seed)!;
        var places = new List<(JsonNode Parent, string? Key, int Index)>();   // every value but the root
        Collect(root, places);
        if (places.Count == 0) return seed;
        var (parent, key, index) = places[Position % places.Count];
        if (remove)
        {
            if (key == null) return seed;
            parent.AsObject().Remove(key);
        }
        else
        {
            // a placeholder string, replaced by the raw text after writing (JsonNode cannot hold 1e999 or a lone surrogate)
            if (key != null) parent[key] = Placeholder;
            else parent[index] = Placeholder;
        }
        return Encoding.UTF8.GetBytes(root.ToJsonString().Replace("\"" + Placeholder + "\"", Replacements[Value % Replacements.Length]));
    }

    static void Collect(JsonNode node, List<(JsonNode, string?, int)> places)
    {
        if (node is JsonObject o)
            foreach (var (k, v) in o.Take(64)) { places.Add((o, k, 0)); if (v != null) Collect(v, places); }
        else if (node is JsonArray a)
            for (int i = 0; i < Math.Min(a.Count, 16); i++) { places.Add((a, null, i)); if (a[i] != null) Collect(a[i]!, places); }
    }

    /// <summary>Count elements of the data section (after the header) set to NaN, +inf or -inf, 4-byte aligned.</summary>
    byte[] NonFiniteFloats(byte[] seed)
    {
        var b = (byte[])seed.Clone();
        long headerEnd = 8 + BitConverter.ToInt64(b, 0);
        float value = (Value % 3) switch { 0 => float.NaN, 1 => float.PositiveInfinity, _ => float.NegativeInfinity };
        int floats = (int)((b.Length - headerEnd) / 4);
        var rng = new Random(Position);
        for (int i = 0; i < Count && floats > 0; i++)
            BitConverter.GetBytes(value).CopyTo(b, headerEnd + 4L * rng.Next(floats));
        return b;
    }
}

using System.Globalization;

namespace HeadPursuit.Somp;

/// <summary>A (layer, head) pair, 0-based, written L{layer}H{head} as in TransformerLens. Orders by layer, then head.</summary>
public readonly record struct HeadId(int Layer, int Head) : IComparable<HeadId>
{
    /// <summary>"L{layer}H{head}", e.g. L3H5.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"L{Layer}H{Head}");

    /// <summary>Orders by layer, then head.</summary>
    public int CompareTo(HeadId other) => Layer != other.Layer ? Layer.CompareTo(other.Layer) : Head.CompareTo(other.Head);

    /// <summary>Parses "L3H7" (case-insensitive).</summary>
    public static HeadId Parse(string text)
    {
        string t = text.Trim().ToUpperInvariant();
        int h = t.IndexOf('H');
        if (t.Length < 4 || t[0] != 'L' || h < 2
            || !int.TryParse(t.AsSpan(1, h - 1), NumberStyles.None, CultureInfo.InvariantCulture, out int layer)
            || !int.TryParse(t.AsSpan(h + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int head))
            throw new FormatException($"'{text}' is not a head name like L3H7");
        return new HeadId(layer, head);
    }
}

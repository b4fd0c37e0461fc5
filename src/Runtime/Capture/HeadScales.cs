using System.Globalization;
using System.Text.RegularExpressions;

namespace HeadPursuit.Runtime.Capture;

/// <summary>
/// An intervention: alpha per (layer, head), default 1, applied as z[l, t, h] &lt;- alpha * z[l, t, h] before the
/// output projection at the positions the policy selects. alpha = -1 suppresses, 5 enhances, 0 ablates.
/// </summary>
public sealed partial class HeadScales
{
    readonly float[] _alpha;   // [Layers, Heads]

    /// <summary>The model's layers.</summary>
    public int Layers { get; }
    /// <summary>Attention heads per layer.</summary>
    public int Heads { get; }
    /// <summary>The positions where the scales apply (default: all).</summary>
    public PositionPolicy Policy { get; init; } = PositionPolicy.All;
    /// <summary>Under <see cref="PositionPolicy.Span"/>: the first prompt position scaled (0-based, BOS included).</summary>
    public int SpanStart { get; init; }
    /// <summary>Under <see cref="PositionPolicy.Span"/>: one past the last prompt position scaled.</summary>
    public int SpanEnd { get; init; }

    /// <summary>Every head at alpha 1 (no change) for a model of <paramref name="layers"/> x <paramref name="heads"/> heads.</summary>
    public HeadScales(int layers, int heads)
    {
        Layers = layers; Heads = heads;
        _alpha = new float[layers * heads];
        Array.Fill(_alpha, 1f);
    }

    /// <summary>The alpha of head (<paramref name="layer"/>, <paramref name="head"/>), 0-based; out of range is an error naming the head.</summary>
    public float this[int layer, int head]
    {
        get => _alpha[Index(layer, head)];
        set => _alpha[Index(layer, head)] = value;
    }

    int Index(int layer, int head)
    {
        if ((uint)layer >= Layers || (uint)head >= Heads)
            throw new ArgumentOutOfRangeException(nameof(head), $"head L{layer}H{head} is out of range: the model has {Layers} layers x {Heads} heads (L0H0..L{Layers - 1}H{Heads - 1})");
        return layer * Heads + head;
    }

    /// <summary>Alphas of one layer [Heads].</summary>
    public ReadOnlySpan<float> Layer(int layer) => _alpha.AsSpan(layer * Heads, Heads);
    /// <summary>Whether every head of the layer is at alpha 1 (the layer's attention output is left alone).</summary>
    public bool LayerIsIdentity(int layer) => !Layer(layer).ContainsAnyExcept(1f);

    /// <summary>Parses "L3H5=-1,L7H0=5" (TransformerLens head names, 0-based).</summary>
    public static HeadScales Parse(string text, int layers, int heads, PositionPolicy policy = PositionPolicy.All)
    {
        var s = new HeadScales(layers, heads) { Policy = policy };
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var m = ScaleItem().Match(part);
            if (!m.Success || !float.TryParse(m.Groups[3].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out float alpha))
                throw new ArgumentException($"cannot read head scale '{part}': expected L<layer>H<head>=<alpha>, e.g. L3H5=-1");
            s[int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)] = alpha;
        }
        return s;
    }

    /// <summary>The heads whose alpha is not 1, in (layer, head) order.</summary>
    public IEnumerable<(int Layer, int Head, float Alpha)> Changed()
    {
        for (int l = 0; l < Layers; l++)
            for (int h = 0; h < Heads; h++)
                if (this[l, h] != 1f) yield return (l, h, this[l, h]);
    }

    /// <summary>The scaled heads as "L3H5=-1,L7H0=5" (the form <see cref="Parse"/> reads), or "none".</summary>
    public override string ToString() =>
        string.Join(",", Changed().Select(c => $"L{c.Layer}H{c.Head}={c.Alpha.ToString(CultureInfo.InvariantCulture)}"));

    [GeneratedRegex(@"^L(\d+)H(\d+)=(\S+)$")]
    private static partial Regex ScaleItem();
}

namespace HeadPursuit.Runtime.Models;

/// <summary>
/// Which layers use sliding-window attention: config.json's "layer_types" list ("full_attention" / "sliding_attention")
/// when it has one (it takes precedence, as in Hugging Face's configs), else the family's default rule.
/// </summary>
internal static class LayerTypes
{
    public const string Full = "full_attention", Sliding = "sliding_attention";

    /// <returns>[layers]: true where the layer is a sliding-window layer.</returns>
    public static bool[] Read(ConfigReader r, int layers, Func<int, bool> slidingByDefault)
    {
        if (r.Strings("layer_types") is not { } types) return Enumerable.Range(0, layers).Select(slidingByDefault).ToArray();
        if (types.Length != layers) throw new ModelFormatException($"{r.Source}: layer_types lists {types.Length} layers, the model has {layers}");
        return types.Select((t, i) => t switch
        {
            Full => false,
            Sliding => true,
            _ => throw new ModelFormatException($"{r.Source}: layer_types[{i}] \"{t}\" is not supported (supported: {Full}, {Sliding})"),
        }).ToArray();
    }
}

namespace HeadPursuit.Somp;

/// <summary>
/// The paper's random-head control: sets with the same number of heads per layer as a chosen set, drawn uniformly
/// without replacement from each layer's heads outside the chosen set. Seeded: the same seed gives the same draws.
/// </summary>
internal static class RandomHeadSets
{
    public const int DefaultDraws = 10;

    /// <returns>[draws] head sets, each sorted by (layer, head).</returns>
    public static IReadOnlyList<HeadId[]> Draw(IReadOnlyCollection<HeadId> chosen, int layers, int heads, int seed, int draws = DefaultDraws)
    {
        if (draws <= 0) throw new ArgumentException($"the number of draws must be positive (got {draws})");
        foreach (var h in chosen)
            if ((uint)h.Layer >= layers || (uint)h.Head >= heads)
                throw new ArgumentOutOfRangeException(nameof(chosen), $"head {h} is outside the model's {layers} layers x {heads} heads");
        var chosenSet = chosen.ToHashSet();
        var perLayer = new int[layers];
        foreach (var h in chosenSet) perLayer[h.Layer]++;
        for (int l = 0; l < layers; l++)
            if (perLayer[l] > heads - perLayer[l])
                throw new ArgumentException($"layer {l} has {perLayer[l]} chosen heads but only {heads - perLayer[l]} others to draw from");

        var random = new Random(seed);
        var result = new List<HeadId[]>();
        for (int d = 0; d < draws; d++)
        {
            var set = new List<HeadId>();
            for (int l = 0; l < layers; l++)
            {
                var pool = Enumerable.Range(0, heads).Select(h => new HeadId(l, h)).Where(h => !chosenSet.Contains(h)).ToArray();
                // partial Fisher-Yates: the first perLayer[l] entries become a uniform sample without replacement
                for (int k = 0; k < perLayer[l]; k++)
                {
                    int pick = random.Next(k, pool.Length);
                    (pool[k], pool[pick]) = (pool[pick], pool[k]);
                    set.Add(pool[k]);
                }
            }
            result.Add([.. set.Order()]);
        }
        return result;
    }
}

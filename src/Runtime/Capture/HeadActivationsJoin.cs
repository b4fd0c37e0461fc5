namespace HeadPursuit.Runtime.Capture;

/// <summary>Joins activations of consecutive sample ranges along the sample axis (Z [L, H, n, d_head]): the shards of
/// one capture split across processes or nodes, back into one.</summary>
public static class HeadActivationsJoin
{
    /// <summary>The parts' samples one after another, in the order given; the model name, positions and metadata are the first part's.
    /// Parts of another shape (layers, heads, d_head) are an error.</summary>
    public static HeadActivations Concat(IReadOnlyList<HeadActivations> parts)
    {
        var first = parts[0];
        foreach (var p in parts)
            if ((p.Layers, p.Heads, p.DHead) != (first.Layers, first.Heads, first.DHead))
                throw new ArgumentException($"cannot join activations of shape [L={p.Layers}, H={p.Heads}, d_head={p.DHead}] with [L={first.Layers}, H={first.Heads}, d_head={first.DHead}]");
        int n = parts.Sum(p => p.Samples);
        var joined = new HeadActivations(first.Layers, first.Heads, n, first.DHead)
        {
            Model = first.Model, Positions = first.Positions, Metadata = new(first.Metadata),
        };
        for (int l = 0; l < first.Layers; l++)
            for (int h = 0; h < first.Heads; h++)
            {
                int at = 0;
                foreach (var p in parts)
                {
                    p.Head(l, h).CopyTo(joined.Head(l, h).Slice(at * first.DHead));
                    at += p.Samples;
                }
            }
        return joined;
    }
}

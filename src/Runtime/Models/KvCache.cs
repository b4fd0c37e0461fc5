using HeadPursuit.Runtime.Backends;

namespace HeadPursuit.Runtime.Models;

/// <summary>
/// Keys and values of every layer for up to <see cref="Slots"/> sequences of at most <see cref="MaxT"/> tokens.
/// Per layer K and V are [Slots * MaxT, KvHeads * d_head] on the backend; slot s owns rows s*MaxT ..
/// The caller tracks how many positions of each slot are filled (BatchLayout.StartPos).
/// </summary>
internal sealed class KvCache : IDisposable
{
    /// <summary>The model the cache was made for (its layer count and key/value width).</summary>
    public ModelConfig Config { get; }
    public int Slots { get; }
    public int MaxT { get; }
    public DeviceTensor[] K { get; }
    public DeviceTensor[] V { get; }

    public KvCache(IBackend backend, ModelConfig config, int slots, int maxT)
    {
        if (maxT > config.MaxPositions && config.LearnedPositions)
            throw new ArgumentException($"{maxT} positions exceed the model's {config.MaxPositions} learned positions");
        Config = config; Slots = slots; MaxT = maxT;
        int kvDim = config.KvHeads * config.DHead;
        K = new DeviceTensor[config.Layers];
        V = new DeviceTensor[config.Layers];
        for (int l = 0; l < config.Layers; l++)
        {
            K[l] = backend.Activations(slots * maxT, kvDim);
            V[l] = backend.Activations(slots * maxT, kvDim);
        }
    }

    public void Dispose()
    {
        foreach (var t in K) t.Dispose();
        foreach (var t in V) t.Dispose();
    }
}

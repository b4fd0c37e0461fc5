namespace HeadPursuit.Runtime.Generation;

/// <summary>Picks the next token from one row of logits: greedy, or temperature + top-k + top-p sampling with its own seeded RNG.</summary>
internal sealed class Sampler(SamplingOptions options, int stream = 0)
{
    readonly Random _rng = new(HashCode.Combine(options.Seed, stream));
    float[] _probs = [];
    int[] _order = [];

    public static int Argmax(ReadOnlySpan<float> logits)
    {
        int best = 0;
        for (int i = 1; i < logits.Length; i++)
            if (logits[i] > logits[best]) best = i;
        return best;
    }

    public int Next(ReadOnlySpan<float> logits)
    {
        if (options.Temperature == 0) return Argmax(logits);
        int v = logits.Length;
        if (_probs.Length != v) { _probs = new float[v]; _order = new int[v]; }
        float max = float.NegativeInfinity;
        foreach (float x in logits) max = Math.Max(max, x);
        for (int i = 0; i < v; i++) { _probs[i] = MathF.Exp((logits[i] - max) / options.Temperature); _order[i] = i; }

        // Sort candidates by probability (descending, ties by id) only as far as top-k/top-p need.
        int keep = v;
        if (options.TopK > 0 || options.TopP < 1)
        {
            var probs = _probs;
            Array.Sort(_order, (a, b) => probs[b] != probs[a] ? probs[b].CompareTo(probs[a]) : a.CompareTo(b));
            if (options.TopK > 0) keep = Math.Min(keep, options.TopK);
            if (options.TopP < 1)
            {
                double total = 0;
                for (int i = 0; i < keep; i++) total += _probs[_order[i]];
                double cum = 0;
                for (int i = 0; i < keep; i++)
                {
                    cum += _probs[_order[i]] / total;
                    if (cum >= options.TopP) { keep = i + 1; break; }
                }
            }
        }
        double sum = 0;
        for (int i = 0; i < keep; i++) sum += _probs[_order[i]];
        double u = _rng.NextDouble() * sum;
        for (int i = 0; i < keep; i++)
        {
            u -= _probs[_order[i]];
            if (u <= 0) return _order[i];
        }
        return _order[keep - 1];
    }
}

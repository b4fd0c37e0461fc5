namespace HeadPursuit.Runtime.Generation;

/// <summary>Decoding settings. Temperature 0 is greedy (argmax, first index on ties).</summary>
public sealed record SamplingOptions
{
    /// <summary>New tokens per prompt at most.</summary>
    public int MaxNewTokens { get; init; } = 64;
    /// <summary>Softmax temperature; 0 = greedy.</summary>
    public float Temperature { get; init; }
    /// <summary>Keep only the k most likely tokens (0 = off).</summary>
    public int TopK { get; init; }
    /// <summary>Keep the smallest set of most likely tokens whose probability reaches p (1 = off).</summary>
    public float TopP { get; init; } = 1f;
    /// <summary>The random seed of sampling (ignored when greedy).</summary>
    public int Seed { get; init; }
    /// <summary>Generation of a sequence ends after it emits one of these (the stop token is kept in the output).</summary>
    public int[] StopTokens { get; init; } = [];

    /// <summary>Throws, naming the setting, when a value is out of range.</summary>
    public void Validate()
    {
        if (MaxNewTokens < 0) throw new ArgumentException($"max new tokens must be >= 0, got {MaxNewTokens}");
        if (Temperature < 0) throw new ArgumentException($"temperature must be >= 0, got {Temperature}");
        if (TopK < 0) throw new ArgumentException($"top-k must be >= 0, got {TopK}");
        if (TopP is <= 0 or > 1) throw new ArgumentException($"top-p must be in (0, 1], got {TopP}");
    }
}

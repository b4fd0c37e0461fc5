namespace HeadPursuit.Runtime.Generation;

/// <summary>What a generation run produced, with its timing.</summary>
public sealed class GenerationResult
{
    /// <summary>New tokens per prompt (stop token included when hit).</summary>
    public required int[][] NewTokens { get; init; }
    /// <summary>Per prompt, the logits that chose each new token [steps][vocab]; only when requested.</summary>
    public float[][][]? StepLogits { get; init; }
    /// <summary>Prompt tokens prefilled, over all prompts.</summary>
    public int PromptTokens { get; init; }
    /// <summary>Seconds spent in the prefill.</summary>
    public double PrefillSeconds { get; init; }
    /// <summary>Seconds spent in the decode steps.</summary>
    public double DecodeSeconds { get; init; }
    /// <summary>New tokens over all prompts.</summary>
    public int DecodedTokens => NewTokens.Sum(t => t.Length);
    /// <summary>Prefill throughput.</summary>
    public double PrefillTokensPerSecond => PromptTokens / Math.Max(PrefillSeconds, 1e-9);
    /// <summary>Decode throughput (each sequence's first token comes from the prefill and is not counted).</summary>
    public double DecodeTokensPerSecond => Math.Max(0, DecodedTokens - NewTokens.Length) / Math.Max(DecodeSeconds, 1e-9);
}

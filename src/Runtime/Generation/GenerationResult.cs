namespace HeadPursuit.Runtime.Generation;

/// <summary>What a generation run produced, with its timing.</summary>
public sealed class GenerationResult
{
    /// <summary>New tokens per prompt (stop token included when hit).</summary>
    public required int[][] NewTokens { get; init; }
    /// <summary>Per prompt, the logits that chose each new token [steps][vocab]; only when requested.</summary>
    public float[][][]? StepLogits { get; init; }
    public int PromptTokens { get; init; }
    public double PrefillSeconds { get; init; }
    public double DecodeSeconds { get; init; }
    public int DecodedTokens => NewTokens.Sum(t => t.Length);
    public double PrefillTokensPerSecond => PromptTokens / Math.Max(PrefillSeconds, 1e-9);
    public double DecodeTokensPerSecond => Math.Max(0, DecodedTokens - NewTokens.Length) / Math.Max(DecodeSeconds, 1e-9);
}

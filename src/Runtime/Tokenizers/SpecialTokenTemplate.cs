namespace HeadPursuit.Runtime.Tokenizers;

/// <summary>
/// What the post-processor adds around a single sequence when special tokens are asked for: Prefix
/// ids before it (e.g. &lt;s&gt; = 1 for Llama 2) and Suffix ids after it. Built from a
/// TemplateProcessing "single" template, from tokenizer_config.json's add_bos_token / add_eos_token,
/// or empty (ByteLevel post-processor, none).
/// </summary>
internal sealed record SpecialTokenTemplate(int[] Prefix, int[] Suffix)
{
    public static SpecialTokenTemplate None { get; } = new([], []);
}

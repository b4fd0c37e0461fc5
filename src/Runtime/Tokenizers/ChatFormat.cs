namespace HeadPursuit.Runtime.Tokenizers;

/// <summary>
/// Turns one user message (and an optional system message) into the prompt text a chat model expects,
/// ending where the assistant's answer starts (HF apply_chat_template with add_generation_prompt=True,
/// one user turn). The text contains the special tokens written out, BOS included where the family's
/// template writes it, so encode it with addSpecialTokens: false. Message trimming follows each
/// family's reference template: Llama 2, Llama 3 and Gemma trim, Mistral and ChatML do not.
/// A ChatML prompt without a system message has no system block (Qwen's own template would insert its
/// default system prompt; pass that text as system to get the same prompt).
/// </summary>
internal sealed class ChatFormat
{
    public ChatFamily Family { get; }

    public ChatFormat(ChatFamily family)
    {
        if (!Enum.IsDefined(family)) throw new ArgumentException($"unknown chat family {(int)family}", nameof(family));
        Family = family;
    }

    /// <summary>By name, case-insensitive: llama2, mistral, llama3, chatml (or qwen2), gemma.</summary>
    public static ChatFormat ByName(string name) => name.ToLowerInvariant() switch
    {
        "llama2" or "llama-2" => new(ChatFamily.Llama2),
        "mistral" => new(ChatFamily.Mistral),
        "llama3" or "llama-3" => new(ChatFamily.Llama3),
        "chatml" or "qwen2" or "qwen" => new(ChatFamily.ChatML),
        "gemma" => new(ChatFamily.Gemma),
        _ => throw new ArgumentException($"unknown chat format '{name}' (expected llama2, mistral, llama3, chatml or gemma)", nameof(name)),
    };

    /// <summary>
    /// Recognises the family of a Jinja chat_template by its markers: &lt;|start_header_id|&gt; (Llama 3),
    /// &lt;|im_start|&gt; (ChatML), &lt;start_of_turn&gt; (Gemma), [INST] with &lt;&lt;SYS&gt;&gt; (Llama 2) or without (Mistral).
    /// </summary>
    public static ChatFormat FromTemplate(string chatTemplate)
    {
        ArgumentNullException.ThrowIfNull(chatTemplate);
        if (chatTemplate.Contains("<|start_header_id|>", StringComparison.Ordinal)) return new(ChatFamily.Llama3);
        if (chatTemplate.Contains("<|im_start|>", StringComparison.Ordinal)) return new(ChatFamily.ChatML);
        if (chatTemplate.Contains("<start_of_turn>", StringComparison.Ordinal)) return new(ChatFamily.Gemma);
        if (chatTemplate.Contains("[INST]", StringComparison.Ordinal))
            return new(chatTemplate.Contains("<<SYS>>", StringComparison.Ordinal) ? ChatFamily.Llama2 : ChatFamily.Mistral);
        throw new ArgumentException("chat_template matches none of the known families (Llama 2, Mistral, Llama 3, ChatML, Gemma)", nameof(chatTemplate));
    }

    /// <summary>The chat format of a tokenizer's chat_template; a clear error when it has none.</summary>
    public static ChatFormat FromTokenizer(Tokenizer tokenizer) =>
        FromTemplate(tokenizer.ChatTemplate ?? throw new ArgumentException("the tokenizer has no chat_template (tokenizer_config.json); choose a format with ChatFormat.ByName", nameof(tokenizer)));

    public string Format(string userMessage, string? system = null)
    {
        ArgumentNullException.ThrowIfNull(userMessage);
        return Family switch
        {
            ChatFamily.Llama2 => system == null
                ? $"<s>[INST] {userMessage.Trim()} [/INST]"
                : $"<s>[INST] <<SYS>>\n{system.Trim()}\n<</SYS>>\n\n{userMessage.Trim()} [/INST]",
            ChatFamily.Mistral => system == null
                ? $"<s>[INST] {userMessage} [/INST]"
                : $"<s>[INST] {system}\n\n{userMessage} [/INST]",
            ChatFamily.Llama3 => "<|begin_of_text|>"
                + (system == null ? "" : $"<|start_header_id|>system<|end_header_id|>\n\n{system.Trim()}<|eot_id|>")
                + $"<|start_header_id|>user<|end_header_id|>\n\n{userMessage.Trim()}<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n",
            ChatFamily.ChatML => (system == null ? "" : $"<|im_start|>system\n{system}<|im_end|>\n")
                + $"<|im_start|>user\n{userMessage}<|im_end|>\n<|im_start|>assistant\n",
            ChatFamily.Gemma => "<bos><start_of_turn>user\n"
                + (system == null ? "" : $"{system.Trim()}\n\n") + $"{userMessage.Trim()}<end_of_turn>\n<start_of_turn>model\n",
            _ => throw new InvalidOperationException($"unhandled chat family {Family}"),
        };
    }
}

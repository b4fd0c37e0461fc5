using HeadPursuit.Runtime.Tokenizers;

namespace HeadPursuit.Cli;

/// <summary>Prompt text to token ids the way every command does it: optionally in the chat format, else with the tokenizer's special tokens (e.g. BOS).</summary>
static class PromptEncoding
{
    public static int[][] Encode(Tokenizer tok, IReadOnlyList<string> texts, bool chat, string? chatFamily)
    {
        var format = !chat ? null : chatFamily != null ? ChatFormat.ByName(chatFamily) : ChatFormat.FromTokenizer(tok);
        var result = texts.Select(t => format != null ? tok.Encode(format.Format(t)) : tok.Encode(t, addSpecialTokens: true)).ToArray();
        for (int i = 0; i < result.Length; i++)
            if (result[i].Length == 0) throw new ArgumentException($"prompt {i + 1} encodes to no tokens");
        return result;
    }
}

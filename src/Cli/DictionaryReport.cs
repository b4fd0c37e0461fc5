using System.Text;
using HeadPursuit.Runtime.Tokenizers;
using HeadPursuit.Somp;

namespace HeadPursuit.Cli;

/// <summary>A Markdown account of a concept dictionary: its tokens, and the words that split into several tokens with the fragments they add.</summary>
static class DictionaryReport
{
    /// <param name="tok">Shows each token's text beside its id; null (a model without tokenizer) shows ids only.</param>
    public static string Markdown(ConceptDictionary dict, Tokenizer? tok)
    {
        string Show(int id) => tok == null ? $"{id}" : $"`{tok.Decode([id]).Replace("`", "'")}` ({id})";
        var sb = new StringBuilder();
        sb.AppendLine($"# Concept dictionary: {dict.Name}\n");
        sb.AppendLine($"{dict.Words.Count} words -> {dict.TokenIds.Length} distinct token ids.\n");
        sb.AppendLine("Tokens: " + string.Join(", ", dict.TokenIds.Select(Show)) + "\n");
        if (dict.MultiTokenWords.Count > 0)
        {
            sb.AppendLine($"## Multi-token words ({dict.MultiTokenWords.Count})\n");
            sb.AppendLine("| text | tokens |\n|---|---|");
            foreach (var w in dict.MultiTokenWords) sb.AppendLine($"| `{w.Text}` | {string.Join(" + ", w.TokenIds.Select(Show))} |");
            sb.AppendLine($"\nFragments only these add ({dict.FragmentIds.Length}): " + string.Join(", ", dict.FragmentIds.Select(Show)));
        }
        return sb.ToString();
    }
}

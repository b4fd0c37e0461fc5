using HeadPursuit.Runtime.Input;

namespace HeadPursuit.Somp;

/// <summary>A word whose tokenization (plain or " word" variant) takes more than one token.</summary>
public sealed record MultiTokenWord(string Text, int[] TokenIds);

/// <summary>
/// A concept's token ids (DESIGN.md section 3): every word of a list tokenized without special tokens, and also as
/// " word" (the leading-space variant byte-level BPE tokenizers use mid-sentence) unless turned off; the union of
/// all ids, sorted. Reports the multi-token words and the fragment ids only they contribute (ids that no word
/// yields as a single token), since those fragments ("Bel" of "Belgium") blur the concept.
/// </summary>
public sealed class ConceptDictionary
{
    /// <summary>The concept's name (the built-in list's name or the word-list file's stem): what its output files are called.</summary>
    public string Name { get; }
    /// <summary>The words as listed.</summary>
    public IReadOnlyList<string> Words { get; }
    /// <summary>Sorted, distinct.</summary>
    public int[] TokenIds { get; }
    /// <summary>The words whose tokenization takes more than one token.</summary>
    public IReadOnlyList<MultiTokenWord> MultiTokenWords { get; }
    /// <summary>Sorted ids that come only from multi-token tokenizations.</summary>
    public int[] FragmentIds { get; }

    ConceptDictionary(string name, IReadOnlyList<string> words, int[] tokenIds, IReadOnlyList<MultiTokenWord> multi, int[] fragments)
    {
        Name = name; Words = words; TokenIds = tokenIds; MultiTokenWords = multi; FragmentIds = fragments;
    }

    /// <param name="tokenize">text -> token ids, without special tokens (BOS etc.).</param>
    /// <param name="spaceVariant">also tokenize " word".</param>
    public static ConceptDictionary Build(string name, IEnumerable<string> words, Func<string, int[]> tokenize, bool spaceVariant = true)
    {
        var list = words.Select(w => w.Trim()).Where(w => w.Length > 0).Distinct().ToList();
        if (list.Count == 0) throw new ArgumentException($"concept '{name}' has no words");
        var single = new SortedSet<int>();
        var all = new SortedSet<int>();
        var multi = new List<MultiTokenWord>();
        foreach (var word in list)
            foreach (var text in spaceVariant ? new[] { word, " " + word } : [word])
            {
                int[] ids = tokenize(text);
                if (ids.Length == 1) single.Add(ids[0]);
                else if (ids.Length > 1) multi.Add(new MultiTokenWord(text, ids));
                all.UnionWith(ids);
            }
        if (all.Count == 0) throw new ArgumentException($"concept '{name}': no word of its {list.Count} yields a token");
        return new ConceptDictionary(name, list, [.. all], multi, [.. all.Where(id => !single.Contains(id))]);
    }

    /// <summary>
    /// Reads a word list (one word per line; blank lines and lines starting with '#' are skipped); invalid UTF-8 is an
    /// error naming the line unless <paramref name="encodingErrors"/> says to replace it.
    /// </summary>
    public static ConceptDictionary Load(string path, Func<string, int[]> tokenize, bool spaceVariant = true, EncodingErrors encodingErrors = EncodingErrors.Strict)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"concept word list not found: {path}", path);
        var words = TextFile.ReadUserLines(path, encodingErrors).Select(l => l.Text.Trim()).Where(l => !l.StartsWith('#')).ToList();
        if (words.Count == 0) throw new ArgumentException($"concept word list {path} holds no words");
        return Build(Path.GetFileNameWithoutExtension(path), words, tokenize, spaceVariant);
    }
}

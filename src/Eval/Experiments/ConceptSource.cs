using System.Globalization;
using HeadPursuit.Eval.Data;
using HeadPursuit.Somp;
using HeadPursuit.Runtime.Input;

namespace HeadPursuit.Eval.Experiments;

/// <summary>
/// Builds an experiment's concept dictionary: from a built-in list, a word-list file, or "lexicon:NAME" (a list of the
/// model folder's lexicon.json); tokenized both as "word" and " word" (DESIGN.md section 3) or, with
/// <see cref="ConceptTokens.SpaceVariant"/>, only as " word": the form a word takes in running text. Models whose
/// untrained rows share one vector (TinyWorld) need the latter, since "France" without its space is such a row.
/// </summary>
internal static class ConceptSource
{
    /// <param name="concept">As stored in <see cref="ExperimentSpec.Concept"/>.</param>
    /// <param name="modelFolder">Where "lexicon:NAME" looks for lexicon.json.</param>
    /// <param name="encode">Text -> token ids, without special tokens.</param>
    /// <param name="encodingErrors">What invalid UTF-8 in a word-list file gives.</param>
    public static ConceptDictionary Load(string concept, ConceptTokens tokens, string modelFolder, Func<string, int[]> encode,
                                         EncodingErrors encodingErrors = EncodingErrors.Strict)
    {
        bool both = tokens == ConceptTokens.Both;
        Func<string, int[]> tokenize = both ? encode : w => encode(" " + w);
        if (!LexiconFile.IsReference(concept)) return ConceptLists.Load(concept, tokenize, spaceVariant: both, encodingErrors);
        string name = concept[LexiconFile.Prefix.Length..];
        var words = LexiconFile.Read(Path.Combine(modelFolder, LexiconFile.FileName), name);
        return Builder(tokens, encode)(name, words);
    }

    /// <summary>(name, words) -> a dictionary tokenized as <see cref="Load"/> tokenizes a list: for word lists other than a concept's own (subsets, distractors).</summary>
    public static Func<string, IEnumerable<string>, ConceptDictionary> Builder(ConceptTokens tokens, Func<string, int[]> encode) =>
        tokens == ConceptTokens.Both
            ? (name, words) => ConceptDictionary.Build(name, words, encode, spaceVariant: true)
            : (name, words) => ConceptDictionary.Build(name, words, w => encode(" " + w), spaceVariant: false);

    /// <summary>A concept given as token ids: each id is a "word" whose tokenization is the id itself.</summary>
    /// <param name="vocab">The model's vocabulary size; ids outside it are refused.</param>
    public static ConceptDictionary FromIds(string name, int[] ids, int vocab)
    {
        foreach (int id in ids)
            if (id >= vocab) throw new ArgumentException($"\"concept_ids\": {id} is not a token id of the model's vocabulary [0, {vocab})");
        return ConceptDictionary.Build(name, ids.Select(id => id.ToString(CultureInfo.InvariantCulture)),
                                       word => [int.Parse(word, CultureInfo.InvariantCulture)], spaceVariant: false);
    }
}

/// <summary>Which tokenizations of a concept's words make its dictionary.</summary>
public enum ConceptTokens
{
    /// <summary>"word" and " word" (the default).</summary>
    Both,
    /// <summary>Only " word".</summary>
    SpaceVariant,
}

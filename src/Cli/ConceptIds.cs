using System.Globalization;
using HeadPursuit.Somp;

namespace HeadPursuit.Cli;

/// <summary>
/// A concept given as token ids instead of words (`rank --concept-ids NAME=5,17,99`), for models without a
/// tokenizer (e.g. random test checkpoints) or to rank exactly chosen tokens. NAME names the output files.
/// </summary>
static class ConceptIds
{
    public static ConceptDictionary Parse(string text, int vocab)
    {
        int eq = text.IndexOf('=');
        string name = eq > 0 ? text[..eq].Trim() : throw new ArgumentException($"--concept-ids '{text}' must be NAME=ID,ID,... (e.g. colours=5,17,99)");
        if (name.IndexOfAny([.. Path.GetInvalidFileNameChars(), '/', '\\']) >= 0)
            throw new ArgumentException($"--concept-ids: the name '{name}' cannot be a file name");
        var ids = text[(eq + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(x =>
            int.TryParse(x, NumberStyles.Integer, CultureInfo.InvariantCulture, out int id) && id >= 0 && id < vocab ? id
                : throw new ArgumentException($"--concept-ids {name}: '{x}' is not a token id in [0, {vocab})")).ToArray();
        if (ids.Length == 0) throw new ArgumentException($"--concept-ids {name}: no token ids given");
        // Each id is a "word" whose tokenization is the id itself, so the dictionary holds exactly these ids.
        return ConceptDictionary.Build(name, ids.Select(id => id.ToString(CultureInfo.InvariantCulture)),
                                       word => [int.Parse(word, CultureInfo.InvariantCulture)], spaceVariant: false);
    }
}

using System.Text.RegularExpressions;

namespace HeadPursuit.Runtime.Hub;

/// <summary>
/// How the datasets library names the splits of a dataset whose card does not list its data files
/// (datasets' data_files.get_data_patterns), trying in this order and stopping at the first that finds files:
/// <list type="number">
/// <item>data/{split}-NNNNN-of-NNNNN*.* (the layout push_to_hub writes): one split per name found, train,
/// validation and test first, then the others in order;</item>
/// <item>*.eval files (inspect-ai logs): the split "logs";</item>
/// <item>folders named after a split keyword, alone or followed by a separator ("data/train/", "train_2020/");</item>
/// <item>file names holding a split keyword between separators ("train.csv", "my_test_file.csv", "valid-0.jsonl");</item>
/// <item>otherwise every file is the train split.</item>
/// </list>
/// The keywords are train, training; validation, valid, dev, val; test, testing, eval, evaluation; the separators
/// are '-', '.', '_', ' ' and digits.
/// </summary>
static partial class SplitInference
{
    const string Separators = "-._ 0-9";
    const string ShardedPattern = "data/{split}-[0-9][0-9][0-9][0-9][0-9]-of-[0-9][0-9][0-9][0-9][0-9]*.*";

    static readonly (string Split, string[] Keywords)[] Keywords =
    [
        ("train", ["train", "training"]),
        ("validation", ["validation", "valid", "dev", "val"]),
        ("test", ["test", "testing", "eval", "evaluation"]),
    ];

    static readonly string[] DefaultSplits = ["train", "validation", "test"];

    static readonly string[] FileNamePatterns = ["**/{0}[{1}]*", "**/*[{1}]{0}[{1}]*"];
    static readonly string[] DirectoryPatterns = ["**/{0}/**", "**/{0}[{1}]*/**", "**/*[{1}]{0}/**", "**/*[{1}]{0}[{1}]*/**"];

    /// <summary>
    /// The splits of the files under <paramref name="baseDir"/> ("" for the whole repository), each with the
    /// patterns that select its files (relative to the repository root), in the datasets library's order.
    /// </summary>
    public static IReadOnlyList<(string Split, IReadOnlyList<string> Patterns)> Patterns(IReadOnlyList<string> files, string baseDir)
    {
        string Under(string pattern) => baseDir.Length == 0 ? pattern : baseDir.TrimEnd('/') + "/" + pattern;
        bool Finds(string pattern) => DataFileGlob.Match(files, Under(pattern)).Any();

        var sharded = DataFileGlob.Match(files, Under(ShardedPattern.Replace("{split}", "*")))
            .Select(f => ShardSplit().Match(f[(f.LastIndexOf('/') + 1)..]).Groups[1].Value)
            .Distinct()
            .ToList();
        if (sharded.Count > 0)
            return [.. DefaultSplits.Where(sharded.Contains).Concat(sharded.Except(DefaultSplits).Order(StringComparer.Ordinal))
                .Select(split => (split, (IReadOnlyList<string>)[Under(ShardedPattern.Replace("{split}", split))]))];

        if (Finds("**/*.eval")) return [("logs", [Under("**/*.eval")])];
        foreach (var templates in new[] { DirectoryPatterns, FileNamePatterns })
        {
            var found = Keywords
                .Select(k => (k.Split, Patterns: (IReadOnlyList<string>)[.. k.Keywords.SelectMany(word => templates.Select(t => Under(string.Format(t, word, Separators))))]))
                .Where(k => k.Patterns.Any(p => DataFileGlob.Match(files, p).Any()))
                .ToList();
            if (found.Count > 0) return found;
        }
        return Finds("**") ? [("train", [Under("**")])] : [];
    }

    /// <summary>The files the patterns select, pattern after pattern, each file once.</summary>
    public static IReadOnlyList<string> Resolve(IReadOnlyList<string> files, IEnumerable<string> patterns)
    {
        var chosen = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string pattern in patterns)
            foreach (string file in DataFileGlob.Match(files, pattern))
                if (seen.Add(file)) chosen.Add(file);
        return chosen;
    }

    /// <summary>A split name the datasets library accepts: words joined by dots ("train", "test.clean").</summary>
    public static bool IsValidName(string split) => SplitName().IsMatch(split);

    [GeneratedRegex(@"^(.+)-[0-9]{5}-of-[0-9]{5}", RegexOptions.CultureInvariant)]
    private static partial Regex ShardSplit();

    [GeneratedRegex(@"^\w+(\.\w+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex SplitName();
}

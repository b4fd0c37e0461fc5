using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace HeadPursuit.Runtime.Hub;

/// <summary>
/// One entry of a dataset card's "configs" list: its name, whether it is the default, the folder its patterns are
/// relative to, and per split the data_files patterns (null when the card gives none: the splits are then inferred
/// under <see cref="DataDir"/> by <see cref="SplitInference"/>).
/// </summary>
sealed record CardConfig(string Name, bool IsDefault, string DataDir, IReadOnlyList<(string Split, IReadOnlyList<string> Patterns)>? DataFiles);

/// <summary>
/// Reads the "configs" of a dataset card: the YAML block between the "---" lines that open README.md, as the hub
/// documents it ("Manual Configuration") and the datasets library checks it (utils/metadata.py):
/// <code>
/// configs:
/// - config_name: rc.nocontext          # required
///   default: true                      # optional
///   data_dir: rc.nocontext             # optional: patterns are relative to it
///   data_files:                        # a pattern, a list of patterns (the train split), or per split:
///   - split: train
///     path: rc.nocontext/train-*       # a pattern or a list of patterns
/// </code>
/// A card without front matter or without "configs" has none. A malformed block is an error naming README.md.
/// </summary>
static partial class DatasetCard
{
    public static IReadOnlyList<CardConfig> ReadConfigs(string readmePath)
    {
        string text = File.ReadAllText(readmePath);
        var front = FrontMatter().Match(text);
        if (!front.Success) return [];
        // Blank lines in front of the block keep YamlDotNet's line numbers those of README.md.
        int linesBefore = text[..front.Groups[1].Index].Count(c => c == '\n');
        var yaml = new YamlStream();
        try { yaml.Load(new StringReader(new string('\n', linesBefore) + front.Groups[1].Value)); }
        catch (YamlException e) { throw new ModelFormatException($"{readmePath}: the YAML block at the top is not valid YAML ({e.Message})"); }
        if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is not YamlMappingNode root
            || !root.Children.TryGetValue(new YamlScalarNode("configs"), out var configs))
            return [];
        if (configs is not YamlSequenceNode list)
            throw Bad(readmePath, configs, "\"configs\" must be a list");

        var result = new List<CardConfig>();
        foreach (var item in list)
        {
            if (item is not YamlMappingNode config) throw Bad(readmePath, item, "each entry of \"configs\" must be a mapping");
            string name = Scalar(config, "config_name") ?? throw Bad(readmePath, item, "an entry of \"configs\" has no \"config_name\"");
            if (result.Any(c => c.Name == name)) throw Bad(readmePath, item, $"config '{name}' appears twice");
            bool isDefault = Scalar(config, "default") is { } d && d.Equals("true", StringComparison.OrdinalIgnoreCase);
            string dataDir = Scalar(config, "data_dir")?.Trim('/') ?? "";
            var dataFiles = config.Children.TryGetValue(new YamlScalarNode("data_files"), out var files)
                ? DataFiles(readmePath, name, dataDir, files)
                : null;
            result.Add(new CardConfig(name, isDefault, dataDir, dataFiles));
        }
        return result;
    }

    /// <summary>data_files as split -> patterns, each pattern made relative to the repository root.</summary>
    static IReadOnlyList<(string, IReadOnlyList<string>)> DataFiles(string readmePath, string config, string dataDir, YamlNode node)
    {
        string Rooted(string pattern) => dataDir.Length == 0 ? pattern : dataDir + "/" + pattern;
        string where = $"data_files of config '{config}'";
        if (node is YamlScalarNode single) return [("train", [Rooted(single.Value ?? "")])];
        if (node is not YamlSequenceNode items)
            throw Bad(readmePath, node, $"{where} must be a pattern, a list of patterns or a list of {{split, path}}");

        var splits = new List<(string, IReadOnlyList<string>)>();
        var trainPatterns = new List<string>();
        foreach (var item in items)
        {
            if (item is YamlScalarNode pattern)
            {
                trainPatterns.Add(Rooted(pattern.Value ?? ""));
                continue;
            }
            if (item is not YamlMappingNode entry || entry.Children.Count != 2 || Scalar(entry, "split") is not { } split
                || !SplitInference.IsValidName(split) || !entry.Children.TryGetValue(new YamlScalarNode("path"), out var path))
                throw Bad(readmePath, item, $"{where}: each entry must be {{split: <name of letters, digits, '_' and '.'>, path: <pattern or list>}}");
            IReadOnlyList<string> patterns = path switch
            {
                YamlScalarNode p => [Rooted(p.Value ?? "")],
                YamlSequenceNode ps when ps.All(p => p is YamlScalarNode) => [.. ps.Cast<YamlScalarNode>().Select(p => Rooted(p.Value ?? ""))],
                _ => throw Bad(readmePath, path, $"{where}: the path of split '{split}' must be a pattern or a list of patterns"),
            };
            if (splits.Any(s => s.Item1 == split)) throw Bad(readmePath, item, $"{where}: split '{split}' appears twice");
            splits.Add((split, patterns));
        }
        if (trainPatterns.Count > 0 && splits.Count > 0)
            throw Bad(readmePath, node, $"{where} mixes plain patterns with {{split, path}} entries");
        return trainPatterns.Count > 0 ? [("train", trainPatterns)] : splits;
    }

    static string? Scalar(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var v) && v is YamlScalarNode s ? s.Value : null;

    static ModelFormatException Bad(string readmePath, YamlNode node, string why) =>
        new($"{readmePath}: line {node.Start.Line}: {why}");

    /// <summary>The YAML between a first line "---" and the next "---" line (huggingface_hub's repocard regex).</summary>
    [GeneratedRegex(@"\A\s*---[\r\n]+([\S\s]*?)[\r\n]+---(?:\r\n|\n|$)", RegexOptions.CultureInvariant)]
    private static partial Regex FrontMatter();
}

namespace HeadPursuit.Runtime.Hub;

/// <summary>
/// The configs and splits of a dataset repository's own files, as the datasets library finds them:
/// <list type="bullet">
/// <item>with "configs" in the dataset card, those configs, each split's files chosen by its data_files patterns, or
/// inferred under its data_dir by <see cref="SplitInference"/> when it has none;</item>
/// <item>without them, one config "default" whose splits <see cref="SplitInference"/> finds in the whole repository;
/// and, for a config asked by name that is a top-level folder (the {config}/{split}-*.parquet layout of repositories
/// whose card does not list their configs), that folder's splits under that name.</item>
/// </list>
/// Each config's format is the most common data file extension among its files, Parquet winning ties (datasets'
/// infer_module_for_data_files); when it is Parquet, only the .parquet files are kept, as the datasets library
/// keeps only the files of the format it reads.
/// </summary>
static class RepositoryLayout
{
    /// <summary>Extensions of the data formats the datasets library reads (images, audio and video folders included).</summary>
    static readonly HashSet<string> DataExtensions =
    [
        "parquet", "arrow", "lance", "csv", "tsv", "json", "jsonl", "ndjson", "txt", "conll", "conllu", "xml", "hdf5", "h5",
        "tar", "zip", "eval", "tsfile", "pdf",
        "png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "webp",
        "wav", "mp3", "flac", "ogg", "opus", "m4a",
        "mp4", "avi", "mov", "mkv", "webm",
    ];

    public static DatasetLayout Build(IReadOnlyList<CardConfig> card, IReadOnlyList<string> files, string? requestedConfig)
    {
        if (card.Count > 0)
            return new DatasetLayout([.. card.Select(c => Config(c.Name, c.IsDefault, files,
                c.DataFiles ?? SplitInference.Patterns(files, c.DataDir)))]);

        var configs = new List<LayoutConfig> { Config("default", true, files, SplitInference.Patterns(files, "")) };
        if (requestedConfig is { } name && name != "default" && files.Any(f => f.StartsWith(name + "/", StringComparison.Ordinal)))
            configs.Add(Config(name, false, files, SplitInference.Patterns(files, name)));
        return new DatasetLayout([.. configs.Where(c => c.Splits.Count > 0)]);
    }

    static LayoutConfig Config(string name, bool isDefault, IReadOnlyList<string> files, IReadOnlyList<(string Split, IReadOnlyList<string> Patterns)> patterns)
    {
        var splits = patterns
            .Select(p => new LayoutSplit(p.Split, SplitInference.Resolve(files, p.Patterns), Partial: false))
            .Where(s => s.Files.Count > 0)
            .ToList();
        string format = Format(splits.SelectMany(s => s.Files));
        if (format == "parquet") splits = [.. splits.Select(s => s with { Files = [.. s.Files.Where(IsParquet)] })];
        return new LayoutConfig(name, isDefault, format, splits);
    }

    /// <summary>
    /// The most common data extension among the files (metadata.* files aside), "parquet" on a tie; when none is a
    /// known data format, the most common extension of any kind, or "unknown".
    /// </summary>
    static string Format(IEnumerable<string> files)
    {
        var extensions = files
            .Select(f => f[(f.LastIndexOf('/') + 1)..])
            .Where(name => !name.StartsWith("metadata.", StringComparison.Ordinal))
            .SelectMany(name => name.Split('.').Skip(1).Select(ext => ext.ToLowerInvariant()))
            .ToList();
        var known = extensions.Where(DataExtensions.Contains).ToList();
        var counts = (known.Count > 0 ? known : extensions).CountBy(ext => ext).ToList();
        if (counts.Count == 0) return "unknown";
        int most = counts.Max(c => c.Value);
        return counts.Any(c => c.Key == "parquet" && c.Value == most)
            ? "parquet"
            : counts.Where(c => c.Value == most).Select(c => c.Key).Order(StringComparer.Ordinal).First();
    }

    static bool IsParquet(string file) => file.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase);
}

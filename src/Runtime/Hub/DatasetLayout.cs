namespace HeadPursuit.Runtime.Hub;

/// <summary>One split of a dataset config: its files (repository paths, in shard order); Partial when the hub's Parquet conversion stopped at its size limit.</summary>
sealed record LayoutSplit(string Name, IReadOnlyList<string> Files, bool Partial);

/// <summary>
/// One config (subset) of a dataset: its splits and the format of its data files as the datasets library would
/// pick it ("parquet", "csv", "json", ...; only "parquet" configs can be read here).
/// </summary>
sealed record LayoutConfig(string Name, bool IsDefault, string Format, IReadOnlyList<LayoutSplit> Splits)
{
    public LayoutSplit? Split(string name) => Splits.FirstOrDefault(s => s.Name == name);
}

/// <summary>
/// The configs and splits of one source of a dataset: the repository's own files (<see cref="RepositoryLayout"/>)
/// or the hub's Parquet conversion (<see cref="ParquetConversion"/>).
/// </summary>
sealed class DatasetLayout(IReadOnlyList<LayoutConfig> configs)
{
    public IReadOnlyList<LayoutConfig> Configs { get; } = configs;

    public LayoutConfig? Find(string name) => Configs.FirstOrDefault(c => c.Name == name);

    /// <summary>
    /// The configs that can be the default when none is named, as the datasets library picks it: the only one, else
    /// those named "default" or marked default (more than one is the card's mistake).
    /// </summary>
    public IReadOnlyList<LayoutConfig> Defaults() =>
        Configs.Count == 1 ? Configs : [.. Configs.Where(c => c.IsDefault || c.Name == "default")];

    /// <summary>"cfg (train, test); other (train)", for error messages.</summary>
    public string Describe() => Configs.Count == 0
        ? "no data files"
        : string.Join("; ", Configs.Select(c => c.Splits.Count == 0
            ? $"{c.Name} (no files)"
            : $"{c.Name} ({(c.Format == "parquet" ? "" : c.Format + ": ")}{string.Join(", ", c.Splits.Select(s => s.Name))})"));
}

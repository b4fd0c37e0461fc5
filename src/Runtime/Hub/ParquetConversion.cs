namespace HeadPursuit.Runtime.Hub;

/// <summary>
/// The hub's automatic Parquet conversion of a dataset: the branch refs/convert/parquet, which the dataset viewer
/// fills with {config}/{split}/0000.parquet, 0001.parquet, ... for every config and split of the main branch
/// (files of about 500 MB; for a dataset larger than its 5 GB limit only the first files are written, in a folder
/// {config}/partial-{split}). Converted from the main branch only.
/// </summary>
static class ParquetConversion
{
    public const string Revision = "refs/convert/parquet";
    const string PartialPrefix = "partial-";

    public static DatasetLayout Layout(IEnumerable<string> paths)
    {
        var files = paths
            .Select(p => p.Split('/'))
            .Where(parts => parts.Length == 3 && parts[2].EndsWith(".parquet", StringComparison.Ordinal))
            .ToList();
        return new DatasetLayout([.. files
            .GroupBy(parts => parts[0])
            .OrderBy(config => config.Key, StringComparer.Ordinal)
            .Select(config => new LayoutConfig(config.Key, IsDefault: false, "parquet", [.. config
                .GroupBy(parts => parts[1])
                .Select(split => new LayoutSplit(
                    split.Key.StartsWith(PartialPrefix, StringComparison.Ordinal) ? split.Key[PartialPrefix.Length..] : split.Key,
                    [.. split.Select(parts => string.Join('/', parts)).Order(StringComparer.Ordinal)],
                    Partial: split.Key.StartsWith(PartialPrefix, StringComparison.Ordinal)))
                .OrderBy(s => SplitOrder(s.Name)).ThenBy(s => s.Name, StringComparer.Ordinal)]))]);
    }

    /// <summary>train, validation, test first, as the datasets library lists splits.</summary>
    static int SplitOrder(string split) => split switch { "train" => 0, "validation" => 1, "test" => 2, _ => 3 };
}

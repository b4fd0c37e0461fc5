namespace HeadPursuit.Runtime.Hub;

/// <summary>
/// The local Parquet files of one split of a hub dataset, as <see cref="DatasetResolver"/> found and downloaded them.
/// </summary>
/// <param name="Dataset">The dataset id, "org/name".</param>
/// <param name="Config">The config (subset) the files belong to: the one asked for, or the default one.</param>
/// <param name="Split">The split asked for.</param>
/// <param name="Revision">Where the files come from: the revision asked for (the repository's own Parquet files),
/// or "refs/convert/parquet" (the hub's Parquet conversion of the main branch).</param>
/// <param name="Commit">The commit sha of that revision; with it the files can be fetched again exactly.</param>
/// <param name="Partial">True when the hub converted only the first part of a large split (its "partial-{split}" folder).</param>
/// <param name="Files">Paths of the files in the hub cache (snapshots/{commit}/...), in shard order; never empty.</param>
internal sealed record DatasetParquetFiles(
    string Dataset, string Config, string Split, string Revision, string Commit, bool Partial, IReadOnlyList<string> Files);

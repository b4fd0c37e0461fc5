namespace HeadPursuit.Runtime.Hub;

/// <summary>
/// Finds and downloads the Parquet files of one split of a hub dataset into the Hugging Face cache
/// ({cache}/datasets--{org}--{name}/, the same offline rules as models):
/// <list type="number">
/// <item>the repository's own files at the revision asked for: its card's configs, or the file layouts the hub
/// and the datasets library recognise (<see cref="RepositoryLayout"/>), when that config's files are Parquet;</item>
/// <item>otherwise, for the main branch, the hub's automatic Parquet conversion, the branch refs/convert/parquet
/// ({config}/{split}/0000.parquet, ...; <see cref="ParquetConversion"/>): datasets stored as CSV, JSON Lines, or
/// built by a script.</item>
/// </list>
/// Asking for revision "refs/convert/parquet" reads the conversion directly. The config may be null or "default"
/// for the dataset's default one (the only config, or the one its card marks default). When nothing matches, the
/// error names the dataset, config and split and lists the configs and splits each source has.
/// </summary>
internal static class DatasetResolver
{
    public static DatasetParquetFiles ResolveParquet(string dataset, string? config, string split, HubOptions options,
        IProgress<DownloadProgress>? progress = null) =>
        ResolveParquetAsync(dataset, config, split, options, progress).GetAwaiter().GetResult();

    public static async Task<DatasetParquetFiles> ResolveParquetAsync(string dataset, string? config, string split, HubOptions options,
        IProgress<DownloadProgress>? progress = null, CancellationToken ct = default)
    {
        if (!RepoId.TryParse(dataset, RepoType.Dataset, out var repo))
            throw new ArgumentException($"'{dataset}' is not a hub dataset id such as 'org/name'", nameof(dataset));
        if (!HubNames.IsSafeRelativePath(options.Revision))
            throw new ArgumentException($"revision '{options.Revision}' is not a branch, tag or commit name", nameof(options));
        if (!SplitInference.IsValidName(split))
            throw new ArgumentException($"'{split}' is not a split name (words of letters, digits and '_', joined by '.')", nameof(split));
        if (config is { Length: 0 }) config = null;

        var request = new Request(repo, config, split, options, progress);
        try
        {
            return options.Revision == ParquetConversion.Revision
                ? await FromConversionAsync(request, defaultConfig: null, repositorySays: null, ct)
                : await FromRepositoryAsync(request, ct);
        }
        catch (HubRequestException e) { throw e.ToModelFormatException(); }
    }

    sealed record Request(RepoId Repo, string? Config, string Split, HubOptions Options, IProgress<DownloadProgress>? Progress)
    {
        public string Asked => $"{Repo} has no Parquet files for config '{Config ?? "(default)"}', split '{Split}'";
    }

    static async Task<DatasetParquetFiles> FromRepositoryAsync(Request request, CancellationToken ct)
    {
        using var fetcher = new SnapshotFetcher(request.Repo, request.Options, request.Progress);
        var tree = await fetcher.ListFilesAsync(ct);
        var card = tree.Files.ContainsKey("README.md") && await fetcher.FetchAsync("README.md", required: false, ct)
            ? DatasetCard.ReadConfigs(fetcher.Cache.SnapshotFile(fetcher.Commit!, "README.md"))
            : [];
        var layout = RepositoryLayout.Build(card, [.. tree.Paths], request.Config);
        var config = Choose(layout, request);
        if (config?.Split(request.Split) is { } split && config.Format == "parquet")
            return await DownloadAsync(fetcher, config, split, ct);

        string why = config is null ? $"have no config '{request.Config}'"
            : config.Split(request.Split) is null ? $"have no split '{request.Split}' in config '{config.Name}'"
            : $"store config '{config.Name}' as {config.Format}, not Parquet";
        string repositorySays = $"its files (revision {fetcher.Revision}, commit {fetcher.Commit}) {why}; they hold: {layout.Describe()}";
        if (request.Options.Revision != HubOptions.DefaultRevision)
            throw new HubRequestException($"{request.Asked}: {repositorySays}. The hub's Parquet conversion ({ParquetConversion.Revision}) is made from the main branch only");
        return await FromConversionAsync(request, config?.Name, repositorySays, ct);
    }

    /// <summary>The split from the Parquet conversion; <paramref name="defaultConfig"/> is the config the repository's card makes the default.</summary>
    static async Task<DatasetParquetFiles> FromConversionAsync(Request request, string? defaultConfig, string? repositorySays, CancellationToken ct)
    {
        string prefix = $"{request.Asked}: {(repositorySays is null ? "" : repositorySays + "; ")}";
        using var fetcher = new SnapshotFetcher(request.Repo, request.Options with { Revision = ParquetConversion.Revision }, request.Progress);
        RepoTree tree;
        try { tree = await fetcher.ListFilesAsync(ct); }
        catch (HubRequestException e) when (e.IsRevisionNotFound)
        {
            throw new HubRequestException($"{prefix}and the hub has no Parquet conversion of it ({ParquetConversion.Revision} does not exist)");
        }
        var layout = ParquetConversion.Layout(tree.Paths);
        string? wanted = request.Config ?? defaultConfig;
        var config = Choose(layout, request with { Config = wanted });
        if (config?.Split(request.Split) is { } split) return await DownloadAsync(fetcher, config, split, ct);
        throw new HubRequestException(
            $"{prefix}its Parquet conversion ({ParquetConversion.Revision}, commit {fetcher.Commit}) has " +
            $"{(config is null ? $"no config '{wanted ?? "default"}'" : $"no split '{request.Split}' in config '{config.Name}'")}; it holds: {layout.Describe()}");
    }

    /// <summary>The config named in the request; for null or "default", the layout's default (an error when that is ambiguous).</summary>
    static LayoutConfig? Choose(DatasetLayout layout, Request request)
    {
        if (request.Config is { } name && name != "default") return layout.Find(name);
        var defaults = layout.Defaults();
        if (defaults.Count > 1)
            throw new ModelFormatException($"{request.Repo}: its dataset card marks several configs as the default: {string.Join(", ", defaults.Select(c => c.Name))}");
        if (defaults.Count == 1) return defaults[0];
        if (layout.Configs.Count > 1)
            throw new ModelFormatException(
                $"{request.Repo} has several configs and none is the default: name one of {string.Join(", ", layout.Configs.Select(c => c.Name))} ({layout.Describe()})");
        return null;
    }

    static async Task<DatasetParquetFiles> DownloadAsync(SnapshotFetcher fetcher, LayoutConfig config, LayoutSplit split, CancellationToken ct)
    {
        var paths = new List<string>(split.Files.Count);
        foreach (string file in split.Files)
        {
            await fetcher.FetchAsync(file, required: true, ct);
            paths.Add(fetcher.Cache.SnapshotFile(fetcher.Commit!, file));
        }
        return new DatasetParquetFiles(fetcher.Cache.Repo.Value, config.Name, split.Name, fetcher.Revision, fetcher.Commit!, split.Partial, paths);
    }
}

namespace HeadPursuit.Runtime.Hub;

/// <summary>
/// Turns what the user typed into a local model folder: an existing directory as is, otherwise a hub id
/// ("gpt2", "org/name") whose files are fetched into (or found in) the Hugging Face cache, giving the
/// snapshot folder {cache}/models--{org}--{name}/snapshots/{commit}/.
/// </summary>
public static class ModelResolver
{
    /// <summary>Every model folder has this file.</summary>
    public const string ConfigFile = "config.json";
    /// <summary>The weights of an unsharded checkpoint (a sharded one has model.safetensors.index.json).</summary>
    public const string WeightsFile = "model.safetensors";

    /// <summary>Fetched when the repository has them; a 404 for any of these is fine.</summary>
    public static IReadOnlyList<string> OptionalFiles { get; } =
        [TokenizerFile, "tokenizer_config.json", "generation_config.json", "preprocessor_config.json", "special_tokens_map.json"];

    const string TokenizerFile = "tokenizer.json";

    /// <summary>A tokenizer in the older two-file format (RoBERTa's), fetched when the repository has no tokenizer.json.</summary>
    public static IReadOnlyList<string> VocabFiles { get; } = ["vocab.json", "merges.txt"];

    /// <summary><paramref name="modelOrFolder"/> as a local folder: an existing folder as is, a hub id's snapshot from the cache or downloaded into it (config, weights, tokenizer files).</summary>
    public static string Resolve(string modelOrFolder, HubOptions options, IProgress<DownloadProgress>? progress = null) =>
        ResolveAsync(modelOrFolder, options, progress).GetAwaiter().GetResult();

    /// <summary><see cref="Resolve"/> as a task.</summary>
    public static async Task<string> ResolveAsync(string modelOrFolder, HubOptions options,
        IProgress<DownloadProgress>? progress = null, CancellationToken ct = default)
    {
        if (Directory.Exists(modelOrFolder)) return modelOrFolder;
        if (!RepoId.TryParse(modelOrFolder, out var repo))
            throw new ArgumentException($"'{modelOrFolder}' is neither an existing folder nor a hub model id such as 'gpt2' or 'org/name'", nameof(modelOrFolder));
        if (!HubNames.IsSafeRelativePath(options.Revision))
            throw new ArgumentException($"revision '{options.Revision}' is not a branch, tag or commit name", nameof(options));

        using var fetcher = new SnapshotFetcher(repo, options, progress);
        try
        {
            await fetcher.FetchAsync(ConfigFile, required: true, ct);
            bool hasTokenizer = false;
            foreach (string file in OptionalFiles)
                if (await fetcher.FetchAsync(file, required: false, ct) && file == TokenizerFile) hasTokenizer = true;
            if (!hasTokenizer)
                foreach (string file in VocabFiles) await fetcher.FetchAsync(file, required: false, ct);
            await FetchWeightsAsync(fetcher, options, ct);
        }
        catch (HubRequestException e) { throw e.ToModelFormatException(); }
        return fetcher.Cache.SnapshotFolder(fetcher.Commit!);
    }

    /// <summary>model.safetensors, or else model.safetensors.index.json and every shard it names.</summary>
    static async Task FetchWeightsAsync(SnapshotFetcher fetcher, HubOptions options, CancellationToken ct)
    {
        if (await fetcher.FetchAsync(WeightsFile, required: false, ct)) return;
        if (!await fetcher.FetchAsync(ShardIndex.FileName, required: false, ct))
            throw fetcher.CacheOnly
                ? fetcher.NotCached(WeightsFile)
                : new HubRequestException(
                    $"{fetcher.Cache.Repo} (revision {options.Revision}) has neither {WeightsFile} nor {ShardIndex.FileName}: only safetensors checkpoints are supported");
        string index = fetcher.Cache.SnapshotFile(fetcher.Commit!, ShardIndex.FileName);
        foreach (string shard in ShardIndex.ReadShardFiles(index)) await fetcher.FetchAsync(shard, required: true, ct);
    }
}

namespace HeadPursuit.Runtime.Hub;

/// <summary>The kinds of hub repository we read: models and datasets (huggingface_hub's repo_type "model" and "dataset").</summary>
internal enum RepoType
{
    Model,
    Dataset,
}

/// <summary>Where each repository type lives in URLs and in the cache, as huggingface_hub lays them out.</summary>
static class RepoTypeNames
{
    /// <summary>"models" or "datasets": the cache folder prefix ({plural}--{org}--{name}) and the API segment (/api/{plural}/...).</summary>
    public static string Plural(this RepoType type) => type switch
    {
        RepoType.Model => "models",
        RepoType.Dataset => "datasets",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>What comes before the id in a resolve URL: nothing for models ({endpoint}/{id}/resolve/...), "datasets/" for datasets.</summary>
    public static string UrlPrefix(this RepoType type) => type == RepoType.Model ? "" : type.Plural() + "/";
}

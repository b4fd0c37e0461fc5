namespace HeadPursuit.Eval.Data;

/// <summary>Datasets named by a Hugging Face hub id, as experiment files give them: "hub", "config", "split".</summary>
public static class HubDatasets
{
    /// <summary>
    /// The local Parquet files of split <paramref name="split"/> of configuration <paramref name="config"/> of hub
    /// dataset <paramref name="id"/>, in shard order, downloaded into the Hugging Face cache when missing.
    /// This is the one place where experiments reach the hub for datasets: it is wired to the hub client of
    /// Runtime.Hub (dataset resolution), which is being written beside this code. Until then it refuses clearly.
    /// </summary>
    public static string[] ParquetFiles(string id, string config, string split) =>
        throw new ArgumentException($"hub datasets are not wired yet: cannot fetch {id} (config {config}, split {split}); " +
                                    "download its Parquet files and give them as \"dataset.parquet\" (a file or folder) with \"dataset.split\"");
}

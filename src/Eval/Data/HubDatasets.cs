using HeadPursuit.Runtime;
using HeadPursuit.Runtime.Hub;

namespace HeadPursuit.Eval.Data;

/// <summary>Datasets named by a Hugging Face hub id, as experiment files give them: "hub", "config", "split".</summary>
internal static class HubDatasets
{
    /// <summary>
    /// The local Parquet files of split <paramref name="split"/> of configuration <paramref name="config"/> (null or
    /// "default": the dataset's default one) of hub dataset <paramref name="id"/>, in shard order, downloaded into the
    /// Hugging Face cache when missing (<see cref="DatasetResolver"/>: the environment's hub settings; downloads reported
    /// to <paramref name="progress"/>). This is the one place where experiments reach the hub for datasets. When the hub converted only
    /// the first part of a large split to Parquet, a warning on standard error says so, and so does <see cref="Describe"/>.
    /// A failure (no such dataset, config or split; the hub unreachable) is an <see cref="ArgumentException"/> naming it.
    /// </summary>
    public static DatasetParquetFiles ParquetFiles(string id, string? config, string split, IProgress<DownloadProgress>? progress)
    {
        DatasetParquetFiles found;
        try { found = DatasetResolver.ResolveParquet(id, config, split, HubOptions.FromEnvironment(), progress); }
        catch (Exception e) when (e is ModelFormatException or HttpRequestException) { throw new ArgumentException(e.Message, e); }
        if (found.Partial) Console.Error.WriteLine($"warning: {Describe(found)}: only these {found.Files.Count} file(s) are read, not the whole split");
        return found;
    }

    /// <summary>"hub ID (config C, split S)", with the partial conversion named when it is one.</summary>
    public static string Describe(DatasetParquetFiles found) =>
        $"hub {found.Dataset} (config {found.Config}, split {found.Split}" +
        (found.Partial ? $"; partial: the hub's Parquet conversion ({found.Revision}) holds only the first part of this split" : "") + ")";
}

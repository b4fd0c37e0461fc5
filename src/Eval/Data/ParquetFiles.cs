namespace HeadPursuit.Eval.Data;

/// <summary>
/// The Parquet files of a dataset split on disk: one .parquet file, or a folder holding the split's files in the
/// layouts the Hugging Face hub uses: "SPLIT-00000-of-00002.parquet" / "SPLIT.parquet" (a dataset repository's data
/// files) or "SPLIT/0000.parquet" (the hub's Parquet conversion, one folder per split), anywhere below the folder.
/// Files are returned in ordinal order of their path below the folder, so shards keep their order.
/// </summary>
internal static class ParquetFiles
{
    public const string Extension = ".parquet";

    /// <param name="split">The split to take from a folder, or null for every .parquet file below it; not allowed for one file.</param>
    public static string[] Resolve(string path, string? split)
    {
        if (File.Exists(path))
        {
            if (split != null) throw new ArgumentException($"{path} is one Parquet file: a split is chosen only among the files of a folder or a hub dataset");
            if (!path.EndsWith(Extension, StringComparison.OrdinalIgnoreCase)) throw new ArgumentException($"{path} is not a .parquet file");
            return [Path.GetFullPath(path)];
        }
        if (!Directory.Exists(path)) throw new FileNotFoundException($"{path}: no such Parquet file or folder", path);
        var all = Directory.GetFiles(path, "*" + Extension, SearchOption.AllDirectories)
                           .Select(f => Path.GetRelativePath(path, f)).Order(StringComparer.Ordinal).ToArray();
        if (all.Length == 0) throw new ArgumentException($"{path} holds no .parquet files");
        var chosen = split == null ? all : all.Where(f => InSplit(f, split)).ToArray();
        if (chosen.Length == 0)
            throw new ArgumentException($"{path} holds no Parquet file of split '{split}' (splits found: {string.Join(", ", all.Select(SplitOf).Distinct().Order())})");
        return [.. chosen.Select(f => Path.GetFullPath(Path.Combine(path, f)))];
    }

    /// <summary>SPLIT.parquet, SPLIT-*.parquet, or any file in a folder named SPLIT.</summary>
    static bool InSplit(string relative, string split)
    {
        string name = Path.GetFileName(relative);
        if (name == split + Extension || name.StartsWith(split + "-", StringComparison.Ordinal)) return true;
        var folders = Path.GetDirectoryName(relative)!.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        return folders.Contains(split);
    }

    /// <summary>The split a file seems to belong to, for error messages: its name up to the first '-', else its folder's name.</summary>
    static string SplitOf(string relative)
    {
        string name = Path.GetFileNameWithoutExtension(relative);
        int dash = name.IndexOf('-');
        if (dash > 0) return name[..dash];
        string folder = Path.GetFileName(Path.GetDirectoryName(relative)!);
        return folder.Length > 0 ? folder : name;
    }
}

using HeadPursuit.Runtime.Input;

namespace HeadPursuit.Eval.Data;

/// <summary>
/// Labelled images for classification: from Parquet (<see cref="ParquetDataset.Classification"/>), or a folder holding one subfolder per class (the class name is the subfolder's
/// name; its images may lie in deeper folders), or a CSV of "path,label" lines (paths relative to the CSV's folder;
/// a first line "path,label" is a header). Samples are sorted by class, then path (folders) or kept in file order (CSV).
/// </summary>
internal sealed record ImageClassificationSet(ImageInput[] Images, string[] Labels, string[] Classes)
{
    /// <param name="classes">The class names allowed, or null to take those found (folders sorted, CSV labels in order of appearance).</param>
    public static ImageClassificationSet Read(string path, string[]? classes)
    {
        var (images, labels) = Directory.Exists(path) ? FromFolders(path) : FromCsv(path);
        if (images.Length == 0) throw new ArgumentException($"{path} holds no images");
        return Create(path, [.. images.Select(ImageInput.FromFile)], labels, classes);
    }

    /// <summary>Checks every label against <paramref name="classes"/> (the classes allowed, or null to take those found, in order of appearance).</summary>
    public static ImageClassificationSet Create(string source, ImageInput[] images, string[] labels, string[]? classes)
    {
        var found = labels.Distinct().ToArray();
        if (classes != null)
            foreach (var label in found)
                if (!classes.Contains(label))
                    throw new ArgumentException($"{source}: class '{label}' is not one of the classes given ({string.Join(", ", classes)})");
        return new ImageClassificationSet(images, labels, classes ?? found);
    }

    static (string[], string[]) FromFolders(string folder)
    {
        var loose = Directory.GetFiles(folder).Where(f => !Path.GetFileName(f).StartsWith('.')).ToArray();
        if (loose.Length > 0) throw new ArgumentException($"{loose[0]}: images of a class folder dataset must lie in a subfolder named after their class");
        var images = new List<string>();
        var labels = new List<string>();
        foreach (var dir in Directory.GetDirectories(folder).Where(d => !Path.GetFileName(d).StartsWith('.')).Order(StringComparer.Ordinal))
        {
            var files = ImageFiles.InFolder(dir);
            images.AddRange(files);
            labels.AddRange(files.Select(_ => Path.GetFileName(dir)));
        }
        return ([.. images], [.. labels]);
    }

    static (string[], string[]) FromCsv(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such class folder or CSV file", path);
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var images = new List<string>();
        var labels = new List<string>();
        var lines = TextFile.ReadLines(path);
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0 || i == 0 && lines[i].Trim() == "path,label") continue;
            int comma = lines[i].LastIndexOf(',');
            string image = comma < 0 ? "" : lines[i][..comma].Trim(), label = comma < 0 ? "" : lines[i][(comma + 1)..].Trim();
            if (image.Length == 0 || label.Length == 0) throw new ArgumentException($"{path}:{i + 1}: expected \"path,label\"");
            images.Add(Path.GetFullPath(Path.Combine(folder, image)));
            ImageFiles.Check(images[^1]);
            labels.Add(label);
        }
        return ([.. images], [.. labels]);
    }
}

using HeadPursuit.Runtime.Imaging;

namespace HeadPursuit.Eval.Data;

/// <summary>
/// Finding and checking the images of an image task before any model work: a file counts as an image by its content
/// (the PNG or JPEG signature), not its name, so a mislabelled or damaged file is refused early with its path.
/// </summary>
internal static class ImageFiles
{
    /// <summary>Every file under the folder (subfolders included, hidden files left out), sorted by path; each must be an image.</summary>
    public static string[] InFolder(string folder)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"{folder}: no such image folder");
        var files = Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
                             .Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal).ToArray();
        foreach (var f in files) Check(f);
        if (files.Length == 0) throw new ArgumentException($"{folder} holds no images");
        return files;
    }

    /// <summary>Throws unless the file exists and starts with a PNG or JPEG signature.</summary>
    public static void Check(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: image not found", path);
        var head = new byte[8];
        int read;
        using (var s = File.OpenRead(path)) read = s.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (!ImageFile.HasSignature(head.AsSpan(0, read)))
            throw new ArgumentException($"{path} is not a PNG or JPEG image");
    }
}

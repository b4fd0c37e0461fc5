using HeadPursuit.Runtime.Imaging;

namespace HeadPursuit.Eval.Data;

/// <summary>
/// One image of an image task: a PNG or JPEG file, read when it is needed, or encoded bytes taken from a dataset (a
/// Parquet image cell), held in memory. <see cref="Name"/> names it in reports and errors: the file's path, or for a
/// Parquet cell its stored file name or "FILE.parquet[row]".
/// </summary>
public sealed class ImageInput
{
    readonly byte[]? _bytes;

    /// <summary>How the report names the image: its path, or for an image held in memory its stored name.</summary>
    public string Name { get; }
    /// <summary>The image file, or null for an image held in memory.</summary>
    public string? File { get; }

    ImageInput(string name, string? file, byte[]? bytes) { Name = name; File = file; _bytes = bytes; }

    /// <summary>An image file (PNG or JPEG).</summary>
    public static ImageInput FromFile(string path) => new(path, path, null);

    /// <summary>Encoded PNG or JPEG bytes (checked by the caller, see <see cref="ImageFile.HasSignature"/>).</summary>
    public static ImageInput FromBytes(string name, byte[] bytes) => new(name, null, bytes);

    internal RgbImage Decode() => File != null ? ImageFile.Load(File) : ImageFile.Decode(_bytes!, Name);

    /// <summary>The image's name.</summary>
    public override string ToString() => Name;
}

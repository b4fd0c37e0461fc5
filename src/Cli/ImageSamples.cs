using HeadPursuit.Runtime.Input;
using System.Text.Json;

namespace HeadPursuit.Cli;

/// <summary>
/// Reads the images of `capture --images` and `steer --images`: a folder (every .png/.jpg/.jpeg in it, sorted by name,
/// each with the default prompt), a single image file (with the default prompt), or a JSON-lines file of
/// {"image": PATH, "prompt": TEXT or [IDS]} (PATH relative to the file's folder; "prompt" optional, default prompt then).
/// </summary>
static class ImageSamples
{
    static readonly string[] ImageExtensions = [".png", ".jpg", ".jpeg"];

    /// <param name="defaultText">The prompt text of samples that give none (null when <paramref name="defaultIds"/> is used).</param>
    /// <param name="defaultIds">The prompt ids of samples that give none (null when <paramref name="defaultText"/> is used).</param>
    public static ImageSample[] Read(string path, string? defaultText, int[]? defaultIds)
    {
        ImageSample[] samples;
        if (Directory.Exists(path))
            samples = [.. Directory.GetFiles(path).Where(IsImageFile).Order(StringComparer.Ordinal)
                                   .Select(f => new ImageSample(f, defaultText, defaultIds))];
        else if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such image folder, image or JSON-lines file", path);
        else if (path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase))
            samples = [.. TextFile.ReadLines(path).Select((line, i) => (line, i)).Where(x => x.line.Trim().Length > 0)
                              .Select(x => Parse(x.line, path, x.i + 1, defaultText, defaultIds))];
        else if (IsImageFile(path)) samples = [new ImageSample(path, defaultText, defaultIds)];
        else throw new ArgumentException($"{path} is neither a folder of images, an image (.png, .jpg, .jpeg) nor a .jsonl file");
        if (samples.Length == 0) throw new ArgumentException($"{path} holds no images (.png, .jpg, .jpeg)");
        return samples;
    }

    static bool IsImageFile(string path) => ImageExtensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    static ImageSample Parse(string line, string path, int lineNo, string? defaultText, int[]? defaultIds)
    {
        string where = $"{path}:{lineNo}";
        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new ArgumentException($"{where}: expected a JSON object");
            if (!root.TryGetProperty("image", out var image) || image.ValueKind != JsonValueKind.String)
                throw new ArgumentException($"{where}: no \"image\" string field");
            string imagePath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, image.GetString()!);
            if (!root.TryGetProperty("prompt", out var prompt)) return new ImageSample(imagePath, defaultText, defaultIds);
            return prompt.ValueKind switch
            {
                JsonValueKind.String => new ImageSample(imagePath, prompt.GetString()!, null),
                JsonValueKind.Array => new ImageSample(imagePath, null, [.. prompt.EnumerateArray().Select(e =>
                    e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int id) ? id
                        : throw new ArgumentException($"{where}: \"prompt\" ids must be integers, got {e.GetRawText()}"))]),
                _ => throw new ArgumentException($"{where}: \"prompt\" must be a string or an array of token ids"),
            };
        }
        catch (JsonException e) { throw new ArgumentException($"{where}: not valid JSON ({e.Message})"); }
    }
}

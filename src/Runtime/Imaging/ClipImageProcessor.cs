using System.Text.Json;

namespace HeadPursuit.Runtime.Imaging;

/// <summary>
/// HF CLIPImageProcessor (the slow PIL path) from preprocessor_config.json: RGB image -> pixel_values [3, c_h, c_w]:
///   1. resize the shortest edge to se with Pillow BICUBIC: (w, h) -> (se, int(se*h/w)) if w &lt;= h else (int(se*w/h), se);
///   2. centre crop c_h x c_w: top = (h' - c_h) // 2, left = (w' - c_w) // 2;
///   3. pixel_values[ch, y, x] = (v * rescale_factor - mean[ch]) / std[ch] (double, rounded once to float).
/// </summary>
internal sealed class ClipImageProcessor
{
    public int ShortestEdge { get; init; } = 224;
    public int CropHeight { get; init; } = 224;
    public int CropWidth { get; init; } = 224;
    public bool DoResize { get; init; } = true;
    public bool DoCenterCrop { get; init; } = true;
    public bool DoRescale { get; init; } = true;
    public bool DoNormalize { get; init; } = true;
    public double RescaleFactor { get; init; } = 1 / 255.0;
    public double[] Mean { get; init; } = [0.48145466, 0.4578275, 0.40821073];
    public double[] Std { get; init; } = [0.26862954, 0.26130258, 0.27577711];

    public static ClipImageProcessor Load(string path)
    {
        using var doc = ReadJson(path);
        var r = doc.RootElement;
        if (r.TryGetProperty("image_processor_type", out var t) && t.GetString() is { } type && type is not ("CLIPImageProcessor" or "CLIPImageProcessorFast"))
            throw new ModelFormatException($"{path}: image_processor_type \"{type}\" is not supported (supported: CLIPImageProcessor)");
        return FromJson(r, path);
    }

    /// <summary>A preprocessor_config.json, or an error naming the file.</summary>
    public static JsonDocument ReadJson(string path)
    {
        if (!File.Exists(path)) throw new ModelFormatException($"{path}: preprocessor_config.json not found");
        try { return JsonDocument.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new ModelFormatException($"{path}: not valid JSON ({e.Message})"); }
    }

    /// <summary>
    /// The CLIP fields of a preprocessor_config.json, whatever its image_processor_type (LLaVA-NeXT's processor applies
    /// them to each of its crops).
    /// </summary>
    public static ClipImageProcessor FromJson(JsonElement r, string path)
    {
        var d = new ClipImageProcessor();
        if (r.TryGetProperty("resample", out var rs) && rs.GetInt32() != 3)
            throw new ModelFormatException($"{path}: resample {rs.GetInt32()} is not supported (supported: 3, BICUBIC)");
        int shortest = d.ShortestEdge;
        if (r.TryGetProperty("size", out var size))
            shortest = size.ValueKind == JsonValueKind.Number ? size.GetInt32()
                : size.TryGetProperty("shortest_edge", out var se) ? se.GetInt32()
                : throw new ModelFormatException($"{path}: size {size.GetRawText()} is not supported (supported: {{\"shortest_edge\": n}})");
        int cropH = d.CropHeight, cropW = d.CropWidth;
        if (r.TryGetProperty("crop_size", out var crop))
        {
            if (crop.ValueKind == JsonValueKind.Number) cropH = cropW = crop.GetInt32();
            else { cropH = crop.GetProperty("height").GetInt32(); cropW = crop.GetProperty("width").GetInt32(); }
        }
        bool Flag(string name, bool fallback) => r.TryGetProperty(name, out var v) ? v.GetBoolean() : fallback;
        double[] Triple(string name, double[] fallback)
        {
            if (!r.TryGetProperty(name, out var v)) return fallback;
            var a = v.EnumerateArray().Select(x => x.GetDouble()).ToArray();
            return a.Length == 3 ? a : throw new ModelFormatException($"{path}: {name} has {a.Length} values, expected 3 (R, G, B)");
        }
        return new ClipImageProcessor
        {
            ShortestEdge = shortest, CropHeight = cropH, CropWidth = cropW,
            DoResize = Flag("do_resize", true), DoCenterCrop = Flag("do_center_crop", true),
            DoRescale = Flag("do_rescale", true), DoNormalize = Flag("do_normalize", true),
            RescaleFactor = r.TryGetProperty("rescale_factor", out var f) ? f.GetDouble() : d.RescaleFactor,
            Mean = Triple("image_mean", d.Mean), Std = Triple("image_std", d.Std),
        };
    }

    /// <summary>The size after the shortest-edge resize, as HF computes it (Python int() of a double division).</summary>
    public (int Width, int Height) ResizedSize(int width, int height) =>
        width <= height ? (ShortestEdge, (int)((double)ShortestEdge * height / width))
                        : ((int)((double)ShortestEdge * width / height), ShortestEdge);

    public RgbImage Resize(RgbImage image)
    {
        var (w, h) = ResizedSize(image.Width, image.Height);
        return BicubicResize.Resize(image, w, h);
    }

    /// <summary>(left, top) of the centre crop.</summary>
    public (int Left, int Top) CropOrigin(int width, int height)
    {
        if (width < CropWidth || height < CropHeight)
            throw new ArgumentException($"a {width}x{height} image is smaller than the {CropWidth}x{CropHeight} crop (HF would zero-pad; not supported)");
        return ((width - CropWidth) / 2, (height - CropHeight) / 2);
    }

    /// <summary>[3, c_h, c_w] channels first.</summary>
    public float[] PixelValues(RgbImage image)
    {
        var src = DoResize ? Resize(image) : image;
        var (left, top) = DoCenterCrop ? CropOrigin(src.Width, src.Height) : (0, 0);
        int ch = DoCenterCrop ? CropHeight : src.Height, cw = DoCenterCrop ? CropWidth : src.Width;
        return ChannelsFirst.PixelValues(src, left, top, cw, ch, DoRescale ? RescaleFactor : null, DoNormalize ? Mean : null, Std);
    }
}

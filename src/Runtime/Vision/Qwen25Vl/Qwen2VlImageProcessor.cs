using System.Text.Json;
using HeadPursuit.Runtime.Imaging;
using HeadPursuit.Runtime.Models;

namespace HeadPursuit.Runtime.Vision.Qwen25Vl;

/// <summary>
/// HF Qwen2VLImageProcessor (the slow PIL path) from preprocessor_config.json: RGB image -> pixel_values
/// [grid_h * grid_w, 3 * temporal_patch * patch * patch] and its grid (1, grid_h, grid_w):
///   1. <see cref="SmartResize"/> with factor = patch_size * merge_size, then Pillow BICUBIC to that size;
///   2. normalized[c, y, x] = (v * rescale_factor - mean[c]) / std[c] (double, rounded once to float);
///   3. the frame repeated temporal_patch_size times, cut into patch x patch squares, a merge_size x merge_size block of
///      squares (one image token) after another, blocks row-major (<see cref="Flatten"/>).
/// Settings: "min_pixels" / "max_pixels", else "size" {"shortest_edge", "longest_edge"} (pixel counts despite the names)
/// or {"min_pixels", "max_pixels"}; defaults 56*56 and 28*28*1280 as HF's.
/// </summary>
internal sealed class Qwen2VlImageProcessor
{
    public long MinPixels { get; init; } = 56 * 56;
    public long MaxPixels { get; init; } = 28 * 28 * 1280;
    public int PatchSize { get; init; } = 14;
    public int TemporalPatchSize { get; init; } = 2;
    public int MergeSize { get; init; } = 2;
    public bool DoResize { get; init; } = true;
    public bool DoRescale { get; init; } = true;
    public bool DoNormalize { get; init; } = true;
    public double RescaleFactor { get; init; } = 1 / 255.0;
    public double[] Mean { get; init; } = [0.48145466, 0.4578275, 0.40821073];
    public double[] Std { get; init; } = [0.26862954, 0.26130258, 0.27577711];

    /// <summary>The side every resized image is a multiple of: one merge unit in pixels.</summary>
    public int Factor => PatchSize * MergeSize;
    /// <summary>One row of pixel_values: 3 channels x temporal patch x patch x patch.</summary>
    public int PatchDim => 3 * TemporalPatchSize * PatchSize * PatchSize;

    /// <summary>HF's defaults with the vision tower's patch, merge and temporal sizes (a folder without preprocessor_config.json).</summary>
    public static Qwen2VlImageProcessor For(Qwen25VisionConfig v) =>
        new() { PatchSize = v.PatchSize, MergeSize = v.MergeSize, TemporalPatchSize = v.TemporalPatchSize };

    public static Qwen2VlImageProcessor Load(string path)
    {
        if (!File.Exists(path)) throw new ModelFormatException($"{path}: preprocessor_config.json not found");
        return ConfigReader.Load(path, Read);
    }

    static Qwen2VlImageProcessor Read(ConfigReader r)
    {
        string path = r.Source;
        var d = new Qwen2VlImageProcessor();
        if (r.String("image_processor_type") is { } type && type is not ("Qwen2VLImageProcessor" or "Qwen2VLImageProcessorFast"))
            throw r.Unsupported("image_processor_type", "Qwen2VLImageProcessor");
        if (r.Int("resample") is { } resample && resample != 3) throw r.Unsupported("resample", "3, BICUBIC");
        if (r.Bool("do_convert_rgb") == false) throw r.Unsupported("do_convert_rgb", "true (images are decoded to RGB)");
        var size = r.Object("size");
        long? SizeField(string a, string b) => size == null ? null : (long?)(size.Int(a) ?? size.Int(b));
        double[] Triple(string name, double[] fallback)
        {
            if (!r.Has(name)) return fallback;
            double[] v;
            try { v = JsonSerializer.Deserialize<double[]>(r.Raw(name))!; }
            catch (JsonException) { throw r.Unsupported(name, "a list of 3 numbers (R, G, B)"); }
            return v.Length == 3 ? v : throw r.Unsupported(name, "a list of 3 numbers (R, G, B)");
        }
        var p = new Qwen2VlImageProcessor
        {
            MinPixels = r.Int("min_pixels") ?? SizeField("shortest_edge", "min_pixels") ?? d.MinPixels,
            MaxPixels = r.Int("max_pixels") ?? SizeField("longest_edge", "max_pixels") ?? d.MaxPixels,
            PatchSize = r.Int("patch_size") ?? d.PatchSize,
            TemporalPatchSize = r.Int("temporal_patch_size") ?? d.TemporalPatchSize,
            MergeSize = r.Int("merge_size") ?? d.MergeSize,
            DoResize = r.Bool("do_resize") ?? true,
            DoRescale = r.Bool("do_rescale") ?? true,
            DoNormalize = r.Bool("do_normalize") ?? true,
            RescaleFactor = r.Double("rescale_factor") ?? d.RescaleFactor,
            Mean = Triple("image_mean", d.Mean), Std = Triple("image_std", d.Std),
        };
        foreach (var (value, field) in new[] { ((long)p.PatchSize, "patch_size"), (p.TemporalPatchSize, "temporal_patch_size"), (p.MergeSize, "merge_size"), (p.MinPixels, "min_pixels"), (p.MaxPixels, "max_pixels") })
            if (value <= 0) throw new ModelFormatException($"{path}: {field} {value} must be positive");
        if (p.MinPixels > p.MaxPixels) throw new ModelFormatException($"{path}: min_pixels {p.MinPixels} is above max_pixels {p.MaxPixels}");
        return p;
    }

    /// <summary>The refusal of a processor whose patch geometry is not the vision tower's (the pixel rows would not fit it).</summary>
    public void CheckAgainst(Qwen25VisionConfig v, string source)
    {
        if (PatchSize != v.PatchSize || MergeSize != v.MergeSize || TemporalPatchSize != v.TemporalPatchSize)
            throw new ModelFormatException(
                $"{source}: patch_size {PatchSize}, merge_size {MergeSize}, temporal_patch_size {TemporalPatchSize} do not match the vision tower's " +
                $"{v.PatchSize}, {v.MergeSize}, {v.TemporalPatchSize} (config.json vision_config)");
    }

    /// <summary>The size the image is resized to, and the smart_resize rule that set it (the image's own size without do_resize).</summary>
    public (int Height, int Width, SmartResizeBranch? Branch) ResizedSize(int height, int width, string source)
    {
        if (DoResize)
        {
            var (h, w, branch) = SmartResize.Of(height, width, Factor, MinPixels, MaxPixels, source);
            return (h, w, branch);
        }
        if (height % Factor != 0 || width % Factor != 0)
            throw new ArgumentException($"{source}: with do_resize false the image's sides must be multiples of {Factor} (patch_size x merge_size); it is {width}x{height}");
        return (height, width, null);
    }

    /// <summary>The image at its smart_resize size (Pillow BICUBIC; an unchanged size is a copy).</summary>
    public RgbImage Resize(RgbImage image, string source)
    {
        var (h, w, _) = ResizedSize(image.Height, image.Width, source);
        return BicubicResize.Resize(image, w, h);
    }

    /// <summary>[3, H, W] channels first: rescaled and normalised as configured.</summary>
    public float[] Normalize(RgbImage image)
    {
        int h = image.Height, w = image.Width;
        var result = new float[3 * h * w];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    double v = image.Pixels[(y * w + x) * 3 + c];
                    if (DoRescale) v *= RescaleFactor;
                    if (DoNormalize) v = (v - Mean[c]) / Std[c];
                    result[(c * h + y) * w + x] = (float)v;
                }
        return result;
    }

    /// <summary>
    /// normalized [3, H, W] -> pixel_values [gh * gw, 3 * Tp * p * p] with gh = H / p, gw = W / p (HF's reshape of the
    /// frame repeated Tp times to (Tp, 3, gh/m, m, p, gw/m, m, p) permuted to (gh/m, gw/m, m, m, 3, Tp, p, p)): row
    /// ((bh * gw/m + bw) * m + mh) * m + mw is the patch at patch row bh*m + mh, column bw*m + mw; its column
    /// ((c * Tp + f) * p + i) * p + j holds channel c, frame f (every frame the same image), pixel (i, j) of the patch.
    /// </summary>
    public float[] Flatten(float[] normalized, int height, int width)
    {
        int p = PatchSize, m = MergeSize, tp = TemporalPatchSize, gh = height / p, gw = width / p, dim = PatchDim;
        var rows = new float[gh * gw * dim];
        for (int bh = 0; bh < gh / m; bh++)
            for (int bw = 0; bw < gw / m; bw++)
                for (int mh = 0; mh < m; mh++)
                    for (int mw = 0; mw < m; mw++)
                    {
                        int row = ((bh * (gw / m) + bw) * m + mh) * m + mw, y0 = (bh * m + mh) * p, x0 = (bw * m + mw) * p;
                        for (int c = 0; c < 3; c++)
                            for (int f = 0; f < tp; f++)
                                for (int i = 0; i < p; i++)
                                    normalized.AsSpan((c * height + y0 + i) * width + x0, p)
                                              .CopyTo(rows.AsSpan(row * dim + ((c * tp + f) * p + i) * p, p));
                    }
        return rows;
    }

    /// <summary>The whole processor: pixel_values [gh * gw, PatchDim] and the grid (1, gh, gw) in patches.</summary>
    public (float[] PixelValues, int GridH, int GridW) Process(RgbImage image, string source)
    {
        var resized = Resize(image, source);
        return (Flatten(Normalize(resized), resized.Height, resized.Width), resized.Height / PatchSize, resized.Width / PatchSize);
    }
}

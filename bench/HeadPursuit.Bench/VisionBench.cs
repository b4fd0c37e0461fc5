using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Cpu;
using HeadPursuit.Runtime.Imaging;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.Tensors;
using HeadPursuit.Runtime.Vision;
using HeadPursuit.Runtime.Vision.LlavaNext;

namespace HeadPursuit.Bench;

/// <summary>
/// LLaVA's image path on the CPU: the CLIP ViT-L/14-336 vision tower (random F32 weights, hidden 1024, 24 layers,
/// 16 heads, intermediate 4096, 577 rows) in images/s and GFLOP/s, and preprocessing (PNG decode + Pillow bicubic
/// shortest-edge resize to 336 + centre crop + normalise) of a generated 640x480 PNG in images/s. With --family llava-next:
/// LLaVA-NeXT (llava-v1.6-mistral-7b) on the same 640x480 image: its 5 crops through the same tower, its anyres
/// preprocessing, and the share of a whole capture spent in the tower, the Mistral-7B prefill over the image's 2340
/// tokens measured on --text-layers layers and scaled to 32.
/// </summary>
sealed class VisionBench : IBench
{
    public string Name => "vision";
    public string Description => "CLIP ViT-L/14-336 vision tower images/s and 640x480 PNG preprocessing images/s; --layers 24 --images 2 --seconds 3 --family llava|llava-next --text-layers 1; " +
                                  "Qwen2.5-VL-7B tower and capture share: --qwen-blocks 32 --qwen-text-layers 2";

    public int Run(string[] args)
    {
        int layers = int.Parse(Arg(args, "--layers") ?? "24", CultureInfo.InvariantCulture);
        int images = int.Parse(Arg(args, "--images") ?? "2", CultureInfo.InvariantCulture);
        double seconds = double.Parse(Arg(args, "--seconds") ?? "3", CultureInfo.InvariantCulture);
        Console.WriteLine($"# vision benchmark ({DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, {CpuParallel.Threads} threads, {RuntimeInformation.ProcessArchitecture})\n");

        var c = ClipVisionConfig.ViTL14At336 with { Layers = layers };
        var tower = new ClipVisionTower(RandomTower(c));
        if (Arg(args, "--family") == "llava-next")
            return RunLlavaNext(c, tower, images, seconds, int.Parse(Arg(args, "--text-layers") ?? "1", CultureInfo.InvariantCulture));
        var pixels = Enumerable.Range(0, 3 * c.ImageSize * c.ImageSize).Select(i => (float)Math.Sin(i * 0.001)).ToArray();   // [3, 336, 336]
        tower.Run(pixels, c.Layers - 1);                                              // warm-up (LLaVA's feature layer -2)
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < images; i++) tower.Run(pixels, c.Layers - 1);
        double perImage = sw.Elapsed.TotalSeconds / images;
        double flops = TowerFlops(c, c.Layers - 1);
        Console.WriteLine($"vision tower ViT-L/14-336, {c.Layers - 1} of {c.Layers} layers run (feature layer -2): {1 / perImage:0.00} images/s, " +
                          $"{perImage * 1000:0} ms/image, {flops / perImage / 1e9:0.0} GFLOP/s ({flops / 1e9:0.0} GFLOP/image)");

        var png = GeneratedPng(640, 480);
        var processor = new ClipImageProcessor { ShortestEdge = 336, CropHeight = 336, CropWidth = 336 };
        processor.PixelValues(PngDecoder.Decode(png, "generated.png"));               // warm-up
        int n = 0;
        double decode = 0;
        sw.Restart();
        while (sw.Elapsed.TotalSeconds < seconds)
        {
            var t0 = sw.Elapsed.TotalSeconds;
            var image = PngDecoder.Decode(png, "generated.png");
            decode += sw.Elapsed.TotalSeconds - t0;
            processor.PixelValues(image);
            n++;
        }
        double total = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"preprocessing 640x480 PNG ({png.Length / 1024} KiB) -> [3, 336, 336]: {n / total:0.0} images/s " +
                          $"(decode {decode / n * 1000:0.0} ms, resize + crop + normalise {(total - decode) / n * 1000:0.0} ms)");

        Qwen25VlTowerBench.Run(args);
        return 0;
    }

    /// <summary>
    /// LLaVA-NeXT on a generated 640x480 PNG: best resolution 672x672, so 4 tiles + the base = 5 crops of [3, 336, 336]
    /// through the tower (feature layer -2), 576 + 36 x 49 = 2340 image tokens. A whole capture of one such sample is the
    /// tower plus the language model's prefill with pooled capture (no logits) over those tokens and a few text tokens;
    /// the prefill is measured on Mistral-7B's shapes (BF16, as the checkpoint) with <paramref name="textLayers"/> layers and
    /// scaled to 32 (its cost is linear in the layers; embedding and final norm are negligible).
    /// </summary>
    static int RunLlavaNext(ClipVisionConfig c, ClipVisionTower tower, int images, double seconds, int textLayers)
    {
        var png = GeneratedPng(640, 480);
        var processor = new LlavaNextImageProcessor
        {
            Crop = new ClipImageProcessor { ShortestEdge = 336, CropHeight = 336, CropWidth = 336 }, GridPinpoints = LlavaNextConfig.DefaultPinpoints,
        };
        var pixels = processor.PixelValues(PngDecoder.Decode(png, "generated.png"));   // [crops, 3, 336, 336]
        int length = 3 * c.ImageSize * c.ImageSize, crops = pixels.Length / length;
        int tokens = AnyResolution.TokenCount(AnyResolution.Map(480, 640, LlavaNextConfig.DefaultPinpoints, c.ImageSize, c.Grid));

        tower.Run(pixels.AsSpan(0, length), c.Layers - 1);                              // warm-up: one crop
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < images; i++)
            for (int k = 0; k < crops; k++) tower.Run(pixels.AsSpan(k * length, length), c.Layers - 1);
        double towerSeconds = sw.Elapsed.TotalSeconds / images;
        double flops = crops * TowerFlops(c, c.Layers - 1);
        Console.WriteLine($"LLaVA-NeXT vision tower ViT-L/14-336 on a 640x480 image ({crops} crops, {tokens} image tokens), {c.Layers - 1} of {c.Layers} layers run: " +
                          $"{1 / towerSeconds:0.000} images/s, {towerSeconds:0.0} s/image, {flops / towerSeconds / 1e9:0.0} GFLOP/s ({flops / 1e9:0} GFLOP/image)");

        int n = 0;
        sw.Restart();
        while (sw.Elapsed.TotalSeconds < seconds || n == 0)
        {
            processor.PixelValues(PngDecoder.Decode(png, "generated.png"));
            n++;
        }
        Console.WriteLine($"LLaVA-NeXT preprocessing 640x480 PNG -> [{crops}, 3, 336, 336] (resize to 672x504, pad to 672x672, 4 tiles + base): " +
                          $"{n / sw.Elapsed.TotalSeconds:0.0} images/s");

        using var random = RandomModel.Mistral7B(DType.BF16, textLayers);
        using var model = Transformer.Load(random.Folder, new CpuBackend());
        var rng = new Random(7);
        int[][] prompt = [Enumerable.Range(0, tokens + 20).Select(_ => rng.Next(model.Config.Vocab)).ToArray()];   // 2340 image + 20 text tokens
        ForwardBench.Prefill(model, [prompt[0][..64]], capture: true, logits: false);                             // warm-up
        double perLayer = ForwardBench.Prefill(model, prompt, capture: true, logits: false) / textLayers;
        double text = 32 * perLayer;
        Console.WriteLine($"Mistral-7B prefill with capture over {prompt[0].Length} tokens: {perLayer:0.0} s/layer measured on {textLayers} layer(s), " +
                          $"{text:0} s for 32 layers");
        Console.WriteLine($"share of a whole capture (tower + prefill) spent in the vision tower: {100 * towerSeconds / (towerSeconds + text):0.0}%");
        return 0;
    }

    /// <summary>Multiply-adds x 2 of the patch embedding, the projections, the MLP and the attention products.</summary>
    static double TowerFlops(ClipVisionConfig c, int layersRun)
    {
        double n = c.Patches + 1, d = c.Hidden;
        double patch = 2.0 * c.Patches * c.PatchLength * d;
        double perLayer = 2 * n * (4 * d * d + 2 * d * c.Intermediate) + 2 * 2 * n * n * d;
        return patch + layersRun * perLayer;
    }

    /// <summary>A vision tower with Gaussian-ish random F32 weights in pinned host memory (no file).</summary>
    static unsafe ClipVisionWeights RandomTower(ClipVisionConfig c)
    {
        var rng = new Random(11);
        float[] Values(int count, float scale)
        {
            var v = GC.AllocateUninitializedArray<float>(count, pinned: true);
            for (int i = 0; i < count; i++) v[i] = (float)((rng.NextDouble() * 2 - 1) * scale);
            return v;
        }
        WeightMatrix Matrix(string name, int rows, int cols)
        {
            var v = Values(rows * cols, 1f / MathF.Sqrt(cols));
            var view = new TensorView(name, DType.F32, [rows, cols], (byte*)Marshal.UnsafeAddrOfPinnedArrayElement(v, 0), "random", owner: v);
            return new WeightMatrix(view, WeightLayout.OutIn);
        }
        float[] Ones(int count) => Enumerable.Repeat(1f, count).ToArray();
        int d = c.Hidden, f = c.Intermediate;
        return new ClipVisionWeights
        {
            Config = c, PatchEmbedding = Matrix("patch", d, c.PatchLength),
            ClassEmbedding = Values(d, 0.02f), PositionEmbedding = Values((c.Patches + 1) * d, 0.02f),
            PreNormWeight = Ones(d), PreNormBias = new float[d],
            Layers = Enumerable.Range(0, c.Layers).Select(i => new ClipLayerWeights
            {
                Norm1Weight = Ones(d), Norm1Bias = new float[d], Norm2Weight = Ones(d), Norm2Bias = new float[d],
                Q = Matrix($"{i}.q", d, d), K = Matrix($"{i}.k", d, d), V = Matrix($"{i}.v", d, d), Out = Matrix($"{i}.o", d, d),
                QBias = new float[d], KBias = new float[d], VBias = new float[d], OutBias = new float[d],
                Fc1 = Matrix($"{i}.fc1", f, d), Fc1Bias = new float[f], Fc2 = Matrix($"{i}.fc2", d, f), Fc2Bias = new float[d],
            }).ToArray(),
        };
    }

    /// <summary>An RGB PNG with smooth gradients and noise (filter None, default zlib), like a photo's compressibility.</summary>
    internal static byte[] GeneratedPng(int w, int h)
    {
        var rng = new Random(5);
        var raw = new MemoryStream();
        for (int y = 0; y < h; y++)
        {
            raw.WriteByte(0);
            for (int x = 0; x < w; x++)
            {
                raw.WriteByte((byte)(x * 255 / w + rng.Next(8)));
                raw.WriteByte((byte)(y * 255 / h + rng.Next(8)));
                raw.WriteByte((byte)(128 + 100 * Math.Sin((x + y) * 0.05) + rng.Next(8)));
            }
        }
        var z = new MemoryStream();
        using (var zs = new ZLibStream(z, CompressionLevel.Optimal, leaveOpen: true)) raw.WriteTo(zs);
        var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        Chunk(png, "IHDR", [.. BigEndian(w), .. BigEndian(h), 8, 2, 0, 0, 0]);
        Chunk(png, "IDAT", z.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    static byte[] BigEndian(int v) => [(byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v];

    static void Chunk(Stream s, string type, byte[] data)
    {
        s.Write(BigEndian(data.Length));
        byte[] typeAndData = [.. Encoding.ASCII.GetBytes(type), .. data];
        s.Write(typeAndData);
        s.Write(BigEndian((int)Crc32.Compute(typeAndData)));
    }

    internal static string? Arg(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}

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
using HeadPursuit.Runtime.Vision.Gemma3;
using HeadPursuit.Runtime.Vision.LlavaNext;

namespace HeadPursuit.Bench;

/// <summary>
/// The vision-language image paths on the CPU. LLaVA: the CLIP ViT-L/14-336 vision tower (random F32 weights, hidden
/// 1024, 24 layers, 16 heads, intermediate 4096, 577 rows) in images/s and GFLOP/s, and preprocessing (PNG decode +
/// Pillow bicubic shortest-edge resize to 336 + centre crop + normalise) of a generated 640x480 PNG in images/s.
/// LLaVA-NeXT: see <see cref="LlavaNext"/>; Qwen2.5-VL: see <see cref="Qwen25VlTowerBench"/>; Gemma 3: see <see cref="Gemma3"/>.
/// </summary>
sealed class VisionBench : IBench
{
    public string Name => "vision";
    public string Description => "vision towers images/s, 640x480 PNG preprocessing images/s, the image path's share of a capture; " +
                                 "--family llava|llava-next|qwen|gemma3|all (all: every one but llava-next) --layers 24 --images 2 --seconds 3 " +
                                 "--text-layers 1 (LLaVA-NeXT) --qwen-blocks 32 --qwen-text-layers 2 --gemma3-tower-layers 27 --gemma3-text-layers 2";

    public int Run(string[] args)
    {
        string family = Arg(args, "--family") ?? "all";
        if (family is not ("llava" or "llava-next" or "qwen" or "gemma3" or "all"))
            throw new ArgumentException($"--family {family}: not a vision family of this bench (llava, llava-next, qwen, gemma3, all)");
        int layers = int.Parse(Arg(args, "--layers") ?? "24", CultureInfo.InvariantCulture);
        int images = int.Parse(Arg(args, "--images") ?? "2", CultureInfo.InvariantCulture);
        double seconds = double.Parse(Arg(args, "--seconds") ?? "3", CultureInfo.InvariantCulture);
        Console.WriteLine($"# vision benchmark ({DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, {CpuParallel.Threads} threads, {RuntimeInformation.ProcessArchitecture})\n");
        if (family is "llava" or "all") Llava(layers, images, seconds);
        if (family is "llava-next") LlavaNext(layers, images, seconds, int.Parse(Arg(args, "--text-layers") ?? "1", CultureInfo.InvariantCulture));
        if (family is "qwen" or "all") Qwen25VlTowerBench.Run(args);
        if (family is "gemma3" or "all")
            Gemma3(int.Parse(Arg(args, "--gemma3-tower-layers") ?? "27", CultureInfo.InvariantCulture),
                   int.Parse(Arg(args, "--gemma3-text-layers") ?? "2", CultureInfo.InvariantCulture), seconds);
        return 0;
    }

    static void Llava(int layers, int images, double seconds)
    {

        var c = ClipVisionConfig.ViTL14At336 with { Layers = layers };
        var tower = new ClipVisionTower(RandomTower(c));
        var pixels = Enumerable.Range(0, 3 * c.ImageSize * c.ImageSize).Select(i => (float)Math.Sin(i * 0.001)).ToArray();   // [3, 336, 336]
        tower.Run(pixels, c.Layers - 1);                                              // warm-up (LLaVA's feature layer -2)
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < images; i++) tower.Run(pixels, c.Layers - 1);
        double perImage = sw.Elapsed.TotalSeconds / images;
        GC.KeepAlive(tower);   // its random weights are pinned arrays the GEMMs read through raw pointers
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
    }

    /// <summary>google/gemma-3-12b-it's config.json (the paper's Gemma 3), for its vision tower's and text model's shapes.</summary>
    const string Gemma3_12B = """
        {"model_type": "gemma3", "mm_tokens_per_image": 256,
         "text_config": {"hidden_size": 3840, "intermediate_size": 15360, "model_type": "gemma3_text", "num_attention_heads": 16,
                         "num_hidden_layers": 48, "num_key_value_heads": 8, "rope_scaling": {"factor": 8.0, "rope_type": "linear"}, "sliding_window": 1024},
         "vision_config": {"hidden_size": 1152, "image_size": 896, "intermediate_size": 4304, "model_type": "siglip_vision_model",
                           "num_attention_heads": 16, "num_hidden_layers": 27, "patch_size": 14, "vision_use_head": false}}
        """;

    /// <summary>
    /// Gemma 3's image path at google/gemma-3-12b-it's shapes: the SigLIP So400m/14-896 tower (random F32 weights, hidden
    /// 1152, 27 layers, 16 heads, intermediate 4304, 4096 rows; <paramref name="towerLayers"/> of them run) and the
    /// projector (4x4 average pool to 256 tokens, norm, [1152, 3840]) for one image; preprocessing of a generated 640x480
    /// PNG (decode + Pillow bilinear resize to 896x896 + normalise); and the share of a whole capture of one image prompt
    /// (256 image tokens + 10 text tokens) that the image path takes, the 48-layer text model's capture forward timed on
    /// <paramref name="textLayers"/> of its layers (random BF16 weights as on the hub) and scaled to 48 layers.
    /// </summary>
    static void Gemma3(int towerLayers, int textLayers, double seconds)
    {
        var config = Gemma3Config.Parse(Gemma3_12B, "gemma-3-12b-it");
        var c = config.Vision with { Layers = towerLayers };
        var tower = new ClipVisionTower(RandomTower(c));
        var rng = new Random(3);
        var gain = Enumerable.Range(0, c.Hidden).Select(_ => 1f + (float)rng.NextDouble() * 0.1f).ToArray();
        var projector = new Gemma3Projector(config, gain, RandomMatrix("mm_input_projection_weight", c.Hidden, config.Text.DModel, WeightLayout.InOut, rng));
        var pixels = Enumerable.Range(0, 3 * c.ImageSize * c.ImageSize).Select(i => (float)Math.Sin(i * 0.001)).ToArray();   // [3, 896, 896]
        var sw = Stopwatch.StartNew();
        var last = tower.LastHiddenState(pixels);                                   // [4096, 1152]
        double towerSeconds = sw.Elapsed.TotalSeconds;
        sw.Restart();
        projector.Run(last);                                                        // [256, 3840]
        double projectorSeconds = sw.Elapsed.TotalSeconds;
        GC.KeepAlive(tower);   // their random weights are pinned arrays the GEMMs read through raw pointers
        GC.KeepAlive(projector);
        double flops = TowerFlops(c, c.Layers);
        Console.WriteLine($"\nvision tower SigLIP So400m/14-896 (Gemma 3), {c.Rows} rows, {c.Layers} of 27 layers run: {1 / towerSeconds:0.000} images/s, " +
                          $"{towerSeconds:0.0} s/image, {flops / towerSeconds / 1e9:0.0} GFLOP/s ({flops / 1e9:0} GFLOP/image); " +
                          $"projector (pool 64x64 -> 16x16, norm, [1152, 3840]) {projectorSeconds * 1000:0} ms");

        // One layer's attention at N = 4096, 16 heads, both ways: the baseline is the plain loops (the tower before it used GEMMs).
        var (q, k, v) = (RandomValues(c.Rows * c.Hidden, 1f, rng), RandomValues(c.Rows * c.Hidden, 1f, rng), RandomValues(c.Rows * c.Hidden, 1f, rng));
        var z = new float[c.Rows * c.Hidden];
        sw.Restart();
        ClipVisionTower.Attention(q, k, v, z, c.Rows, c.Hidden, c.Heads, null);
        double products = sw.Elapsed.TotalSeconds;
        sw.Restart();
        ClipVisionTower.ReferenceAttention(q, k, v, z, c.Rows, c.Hidden, c.Heads, null);
        double loops = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"one layer's attention (4096 x 4096, 16 heads of 72): matrix products {products:0.00} s, plain loops {loops:0.00} s ({loops / products:0.0}x)");

        var png = GeneratedPng(640, 480);
        var processor = new Gemma3ImageProcessor { Height = c.ImageSize, Width = c.ImageSize };
        processor.PixelValues(PngDecoder.Decode(png, "generated.png"), "generated.png");   // warm-up
        int n = 0;
        sw.Restart();
        while (sw.Elapsed.TotalSeconds < seconds)
        {
            processor.PixelValues(PngDecoder.Decode(png, "generated.png"), "generated.png");
            n++;
        }
        Console.WriteLine($"preprocessing 640x480 PNG -> bilinear 896x896 -> [3, 896, 896]: {n / sw.Elapsed.TotalSeconds:0.0} images/s (decode included)");

        using var random = RandomModel.Gemma3_12BText(DType.BF16, textLayers);
        using var text = Transformer.Load(random.Folder, new CpuBackend());
        int[][] prompt = [[.. Enumerable.Range(0, 256 + 10).Select(i => 1 + i % 1000)]];
        using var textCache = text.NewCache(1, prompt[0].Length);
        ForwardBench.Prefill(text, textCache, prompt, capture: true, logits: false);          // warm-up
        double textSeconds = ForwardBench.Prefill(text, textCache, prompt, capture: true, logits: false) / textLayers * 48;
        double image = towerSeconds / c.Layers * 27 + projectorSeconds;
        Console.WriteLine($"text model capture forward (gemma-3-12b shapes, BF16, 266 tokens): {textSeconds / 48:0.00} s/layer measured on {textLayers} layers, " +
                          $"{textSeconds:0} s for 48 layers; image path (27-layer tower + projector) {image:0} s = {100 * image / (image + textSeconds):0}% of a whole capture");
    }

    /// <summary>
    /// LLaVA-NeXT on a generated 640x480 PNG: best resolution 672x672, so 4 tiles + the base = 5 crops of [3, 336, 336]
    /// through the tower (feature layer -2), 576 + 36 x 49 = 2340 image tokens. A whole capture of one such sample is the
    /// tower plus the language model's prefill with pooled capture (no logits) over those tokens and a few text tokens;
    /// the prefill is measured on Mistral-7B's shapes (BF16, as the checkpoint) with <paramref name="textLayers"/> layers and
    /// scaled to 32 (its cost is linear in the layers; embedding and final norm are negligible).
    /// </summary>
    static void LlavaNext(int layers, int images, double seconds, int textLayers)
    {
        var c = ClipVisionConfig.ViTL14At336 with { Layers = layers };
        var tower = new ClipVisionTower(RandomTower(c));
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
        GC.KeepAlive(tower);   // its random weights are pinned arrays the GEMMs read through raw pointers
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
        using var cache = model.NewCache(1, prompt[0].Length);
        ForwardBench.Prefill(model, cache, [prompt[0][..64]], capture: true, logits: false);                      // warm-up
        double perLayer = ForwardBench.Prefill(model, cache, prompt, capture: true, logits: false) / textLayers;
        double text = 32 * perLayer;
        Console.WriteLine($"Mistral-7B prefill with capture over {prompt[0].Length} tokens: {perLayer:0.0} s/layer measured on {textLayers} layer(s), " +
                          $"{text:0} s for 32 layers");
        Console.WriteLine($"share of a whole capture (tower + prefill) spent in the vision tower: {100 * towerSeconds / (towerSeconds + text):0.0}%");
    }

    /// <summary>Multiply-adds x 2 of the patch embedding, the projections, the MLP and the attention products.</summary>
    static double TowerFlops(ClipVisionConfig c, int layersRun)
    {
        double n = c.Rows, d = c.Hidden;
        double patch = 2.0 * c.Patches * c.PatchLength * d;
        double perLayer = 2 * n * (4 * d * d + 2 * d * c.Intermediate) + 2 * 2 * n * n * d;
        return patch + layersRun * perLayer;
    }

    /// <summary>A CLIP or SigLIP vision tower with uniform random F32 weights in pinned host memory (no file).</summary>
    static ClipVisionWeights RandomTower(ClipVisionConfig c)
    {
        var rng = new Random(11);
        float[] Values(int count, float scale) => RandomValues(count, scale, rng);
        WeightMatrix Matrix(string name, int rows, int cols) => RandomMatrix(name, rows, cols, WeightLayout.OutIn, rng);
        float[] Ones(int count) => Enumerable.Repeat(1f, count).ToArray();
        int d = c.Hidden, f = c.Intermediate;
        bool clip = c.Kind == VisionTowerKind.Clip;
        return new ClipVisionWeights
        {
            Config = c, PatchEmbedding = Matrix("patch", d, c.PatchLength), PositionEmbedding = Values(c.Rows * d, 0.02f),
            ClassEmbedding = clip ? Values(d, 0.02f) : null, PreNormWeight = clip ? Ones(d) : null, PreNormBias = clip ? new float[d] : null,
            PatchBias = clip ? null : Values(d, 0.02f), PostNormWeight = clip ? null : Ones(d), PostNormBias = clip ? null : new float[d],
            Layers = Enumerable.Range(0, c.Layers).Select(i => new ClipLayerWeights
            {
                Norm1Weight = Ones(d), Norm1Bias = new float[d], Norm2Weight = Ones(d), Norm2Bias = new float[d],
                Q = Matrix($"{i}.q", d, d), K = Matrix($"{i}.k", d, d), V = Matrix($"{i}.v", d, d), Out = Matrix($"{i}.o", d, d),
                QBias = new float[d], KBias = new float[d], VBias = new float[d], OutBias = new float[d],
                Fc1 = Matrix($"{i}.fc1", f, d), Fc1Bias = new float[f], Fc2 = Matrix($"{i}.fc2", d, f), Fc2Bias = new float[d],
            }).ToArray(),
        };
    }

    static float[] RandomValues(int count, float scale, Random rng)
    {
        var v = GC.AllocateUninitializedArray<float>(count, pinned: true);
        for (int i = 0; i < count; i++) v[i] = (float)((rng.NextDouble() * 2 - 1) * scale);
        return v;
    }

    /// <summary>A [rows, cols] F32 matrix of uniform values scaled by 1/sqrt(its input size), stored in <paramref name="layout"/>.</summary>
    static unsafe WeightMatrix RandomMatrix(string name, int rows, int cols, WeightLayout layout, Random rng)
    {
        var v = RandomValues(rows * cols, 1f / MathF.Sqrt(layout == WeightLayout.OutIn ? cols : rows), rng);
        var view = new TensorView(name, DType.F32, [rows, cols], (byte*)Marshal.UnsafeAddrOfPinnedArrayElement(v, 0), "random", owner: v);
        return new WeightMatrix(view, layout);
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

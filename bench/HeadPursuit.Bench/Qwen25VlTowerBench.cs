using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Cpu;
using HeadPursuit.Runtime.Imaging;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.Tensors;
using HeadPursuit.Runtime.Vision.Qwen25Vl;

namespace HeadPursuit.Bench;

/// <summary>
/// Qwen2.5-VL-7B-Instruct's image path on the CPU, part of the vision benchmark: a generated 640x480 PNG through the
/// Qwen2-VL processor (the 7B's preprocessor settings: 476 x 644 pixels, 34 x 46 patches, 391 image tokens), the vision
/// tower at its real shape (random F32 weights: 32 blocks, hidden 1280, 16 heads, SiLU-gated MLP 3420, windows of 112
/// pixels, full attention in blocks 7/15/23/31, merger to 3584), and the pooled capture of that prompt through the 7B's
/// language model (random BF16 weights, d 3584, 28 query / 4 kv heads, ff 18944, M-RoPE) run for --qwen-text-layers of
/// its 28 layers and scaled to 28 (every layer costs the same). The vocabulary is cut to 32000: a capture computes no
/// logits, so the table size only changes the embedding lookup, a copy.
/// </summary>
static class Qwen25VlTowerBench
{
    public static void Run(string[] args)
    {
        int textLayers = int.Parse(VisionBench.Arg(args, "--qwen-text-layers") ?? "2", CultureInfo.InvariantCulture);
        int blocks = int.Parse(VisionBench.Arg(args, "--qwen-blocks") ?? "32", CultureInfo.InvariantCulture);
        var vision = new Qwen25VisionConfig { Depth = blocks, Hidden = 1280, Intermediate = 3420, Heads = 16, OutHidden = 3584 };
        var processor = new Qwen2VlImageProcessor { MinPixels = 3136, MaxPixels = 12845056 };

        var png = VisionBench.GeneratedPng(640, 480);
        (float[] Pixels, ImageGrid Grid) Preprocess()
        {
            var (values, gh, gw) = processor.Process(PngDecoder.Decode(png, "generated.png"), "generated.png");
            return (values, new ImageGrid(1, gh, gw));
        }
        Preprocess();   // warm-up
        var sw = Stopwatch.StartNew();
        var (pixels, grid) = Preprocess();
        double preprocess = sw.Elapsed.TotalSeconds;

        var tower = new Qwen25VisionTower(RandomTower(vision));
        new Qwen25VisionTower(RandomTower(vision with { Depth = 1 })).Run(pixels, [grid]);   // warm-up
        sw.Restart();
        var features = tower.Run(pixels, [grid]);
        double towerSeconds = sw.Elapsed.TotalSeconds;
        double flops = TowerFlops(vision, grid);
        Console.WriteLine($"Qwen2.5-VL-7B vision tower, 640x480 PNG -> {grid.W * 14}x{grid.H * 14} pixels, {grid.Patches} patches, {grid.Tokens(2)} image tokens, " +
                          $"{blocks} blocks: {1 / towerSeconds:0.000} images/s, {towerSeconds:0.0} s/image, {flops / towerSeconds / 1e9:0.0} GFLOP/s " +
                          $"({flops / 1e9:0} GFLOP/image); preprocessing (decode + smart_resize + bicubic + normalise + patches) {preprocess * 1000:0} ms");

        using var random = RandomModel.Create("qwen2_5_vl_text", new JsonObject
        {
            ["model_type"] = "qwen2", ["hidden_size"] = 3584, ["intermediate_size"] = 18944, ["num_hidden_layers"] = textLayers,
            ["num_attention_heads"] = 28, ["num_key_value_heads"] = 4, ["vocab_size"] = 32000, ["max_position_embeddings"] = 128000,
            ["rms_norm_eps"] = 1e-6, ["rope_theta"] = 1e6, ["rope_scaling"] = new JsonObject { ["type"] = "mrope", ["mrope_section"] = new JsonArray(16, 24, 24) },
        }, DType.BF16);
        using var text = Transformer.Load(random.Folder, new Runtime.Backends.Cpu.CpuBackend());
        var config = new Qwen25VlConfig { Text = text.Config, Vision = vision, ImageTokenId = 3, VisionStartTokenId = 4, VisionEndTokenId = 5 };
        int[] ids = [1, 200, 300, 4, .. Enumerable.Repeat(3, grid.Tokens(2)), 5, .. Enumerable.Range(400, 12)];   // the image between 3 and 12 text tokens
        var rope = MropePositions.Of(ids, [grid], config);
        var positions = Enumerable.Range(0, ids.Length).Where(t => ids[t] == 3).ToArray();
        var rows = new ImageRows(new RowEmbeddings(positions, features, 3584)) { RopePositions = rope.Positions, RopeDelta = rope.Delta };
        var mask = ids.Select(t => t == 3).ToArray();
        var capture = new HeadCapture(text);
        capture.Run([ids], [mask], 1, progress: null, imagesOf: _ => rows);   // warm-up
        sw.Restart();
        capture.Run([ids], [mask], 1, progress: null, imagesOf: _ => rows);
        double textSeconds = sw.Elapsed.TotalSeconds * 28 / textLayers;
        double whole = preprocess + towerSeconds * 32 / blocks + textSeconds;
        Console.WriteLine($"capture of that image prompt ({ids.Length} tokens) through the 7B language model: {sw.Elapsed.TotalSeconds:0.0} s for {textLayers} of 28 layers " +
                          $"-> {textSeconds:0.0} s for 28; the whole capture {whole:0.0} s, of which the vision tower (32 blocks) {100 * towerSeconds * 32 / blocks / whole:0}%, " +
                          $"preprocessing {100 * preprocess / whole:0.0}%");
    }

    /// <summary>Multiply-adds x 2 of the patch embedding, the blocks' projections and attention products, and the merger.</summary>
    static double TowerFlops(Qwen25VisionConfig c, ImageGrid grid)
    {
        double n = grid.Patches, d = c.Hidden, units = grid.Tokens(c.MergeSize);
        var windows = VisionWindows.Of([grid], c.MergeSize, c.WindowUnits);
        double Squares(int[] bounds) => bounds.Zip(bounds.Skip(1)).Sum(b => (double)(b.Second - b.First) * (b.Second - b.First));
        double attention = Enumerable.Range(0, c.Depth).Sum(l => 4 * d * Squares(c.FullAttentionBlocks.Contains(l) ? windows.CuSeqlens : windows.CuWindowSeqlens));
        double blocks = c.Depth * 2 * n * (4 * d * d + 3 * d * c.Intermediate);
        double merger = 2 * units * (16 * d * d + 4 * d * c.OutHidden);
        return 2 * n * c.PatchDim * d + blocks + attention + merger;
    }

    /// <summary>A vision tower with uniform random F32 weights (no file); norm gains 1, biases 0.</summary>
    static Qwen25VisionWeights RandomTower(Qwen25VisionConfig c)
    {
        var rng = new Random(11);
        WeightMatrix Matrix(string name, int rows, int cols) => WeightMatrix.FromFloats(
            name, [.. Enumerable.Range(0, rows * cols).Select(_ => (float)((rng.NextDouble() * 2 - 1) / Math.Sqrt(cols)))], rows, cols, WeightLayout.OutIn);
        float[] Ones(int count) => Enumerable.Repeat(1f, count).ToArray();
        int d = c.Hidden, f = c.Intermediate, u = c.MergeUnit * d;
        return new Qwen25VisionWeights
        {
            Config = c, PatchEmbedding = Matrix("patch", d, c.PatchDim),
            Blocks = Enumerable.Range(0, c.Depth).Select(i => new Qwen25VisionBlockWeights
            {
                Norm1 = Ones(d), Norm2 = Ones(d), Qkv = Matrix($"{i}.qkv", 3 * d, d), QkvBias = new float[3 * d], Proj = Matrix($"{i}.proj", d, d),
                ProjBias = new float[d], GateUp = Matrix($"{i}.gate_up", 2 * f, d), GateUpBias = new float[2 * f], Down = Matrix($"{i}.down", d, f), DownBias = new float[d],
            }).ToArray(),
            MergerNorm = Ones(d), MergerFc1 = Matrix("merger.0", u, u), MergerFc1Bias = new float[u],
            MergerFc2 = Matrix("merger.2", c.OutHidden, u), MergerFc2Bias = new float[c.OutHidden],
        };
    }

}

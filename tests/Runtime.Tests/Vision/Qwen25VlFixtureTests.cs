using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Generation;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.SafeTensors;
using HeadPursuit.Runtime.Tokenizers;
using HeadPursuit.Runtime.Verification;
using HeadPursuit.Runtime.Vision;
using HeadPursuit.Runtime.Vision.Qwen25Vl;
using HeadPursuit.Tests;
using Xunit.Abstractions;

namespace HeadPursuit.Runtime.Tests.Vision;

/// <summary>Every qwen25-vl-tiny case with both tensor layouts, and the image-specific behaviours of the model.</summary>
public sealed class Qwen25VlFixtureTests(ITestOutputHelper output)
{
    const int ImageToken = 1003, VisionStart = 1000, VisionEnd = 1001;

    static string Folder => Fixtures.Path("qwen25-vl-tiny");

    [Theory]
    [InlineData(null)]
    [InlineData("new-layout")]
    public void EveryCaseMatchesTheReference(string? layoutFolder)
    {
        var results = Qwen25VlVerifier.Run(Folder, new CpuBackend(), layoutFolder == null ? null : Fixtures.Path("qwen25-vl-tiny", layoutFolder)).ToList();
        foreach (var r in results) output.WriteLine(r.ToString());
        Assert.All(results, r => Assert.True(r.Passed, r.ToString()));
        // Every quantity of every case was compared (nothing silently skipped).
        string[] model = ["logits", "z", "head_out", "attn_out", "attn_probs", "resid", "final_norm", "position_ids", "position_ids(json)", "rope_delta", "image_pos"];
        string[] expectedChecks =
        [
            .. "ABCDEFG".SelectMany(i => new[] { "decoded", "smart_resize", "resized", "normalized", "pixel_values", "image_grid_thw", "n_image_tokens" }
                .Select(q => $"img{i}/{q}")),
            .. new[] { "vis_imgA", "vis_imgB", "vis_imgC", "vis_imgD", "vis_imgE", "vis_imgA_imgE" }.SelectMany(v => new[]
                { "window_index", "window_index(json)", "cu_window_seqlens", "cu_seqlens", "n_image_tokens", "patch_embeds", "hidden_states", "attn_probs", "pos_hw", "image_embeds" }
                .Select(q => $"{v}/{q}")),
            .. model.Select(q => $"text0/{q}"),
            .. new[] { "prompt0", "prompt1", "prompt2", "prompt3" }.SelectMany(p => model.Concat(["image_embeds", "z_image_mean", "head_out_image_mean"]).Select(q => $"{p}/{q}")),
            .. new[] { "int_all", "int_image" }.SelectMany(p => new[] { "logits", "z", "head_out", "z_image_mean", "head_out_image_mean", "scaled_pos" }.Select(q => $"{p}/{q}")),
            .. new[] { "gen_base", "gen_int", "gen_int_image" }.SelectMany(g => new[] { "new_ids", "step_logits", "position_ids", "rope_delta" }.Select(q => $"{g}/{q}")),
            "too_few_image_tokens/refused", "too_many_image_tokens/refused",
        ];
        var done = results.Select(r => $"{r.Case}/{r.Quantity}").ToHashSet();
        Assert.All(expectedChecks, c => Assert.Contains(c, done));
    }

    [Fact]
    public void TheVerifyEntryPointRunsBothLayouts()
    {
        var results = ModelVerifier.Run(Folder, new CpuBackend()).ToList();
        Assert.Contains(results, r => r.Case == "prompt3" && r.Quantity == "logits");
        Assert.Contains(results, r => r.Case == "new-layout/prompt3" && r.Quantity == "logits");
        Assert.Contains(results, r => r.Case == "new-layout/gen_int_image" && r.Quantity == "new_ids");
        Assert.All(results, r => Assert.True(r.Passed, r.ToString()));
    }

    [Fact]
    public void BothLayoutsLoadBitIdenticalWeightsAndOutputs()
    {
        using var hub = Qwen25VlModel.Load(Folder, new CpuBackend());
        using var sharded = Qwen25VlModel.Load(Fixtures.Path("qwen25-vl-tiny", "new-layout"), new CpuBackend());
        Assert.Equal(("hub", "new"), (hub.Layout.Name, sharded.Layout.Name));
        Assert.Equal(hub.Config, sharded.Config with { Text = hub.Config.Text, Vision = hub.Config.Vision });
        var images = new[] { Image("imgA", 8, 4), Image("imgE", 6, 4) };
        Assert.Equal(hub.ImageFeatures(images), sharded.ImageFeatures(images));
        int[] ids = [5, VisionStart, ImageToken, VisionEnd, 7, VisionStart, ImageToken, VisionEnd, 9];
        Assert.Equal(hub.Forward(hub.Prepare(ids, images)), sharded.Forward(sharded.Prepare(ids, images)));
    }

    [Fact]
    public void Bf16WeightsGiveTheOutputsOfTheirF32Widening()
    {
        // The released checkpoints are BF16: the tower's matrices (the Conv3d read as one included) stay BF16 in the Gemm.
        string dir = Directory.CreateTempSubdirectory("hp-qwen-bf16-").FullName;
        try
        {
            string half = Directory.CreateDirectory(Path.Combine(dir, "bf16")).FullName, wide = Directory.CreateDirectory(Path.Combine(dir, "f32")).FullName;
            using (var f = SafeTensorsFile.Open(Fixtures.Path("qwen25-vl-tiny", "model.safetensors")))
            {
                SafeTensorsWriter bf16 = new(), f32 = new();
                foreach (var name in f.Names)
                {
                    var bits = Array.ConvertAll(f.Get(name).ToFloatArray(), Tensors.HalfFloat.SingleToBF16);
                    bf16.Add(name, Tensors.DType.BF16, f.Get(name).Shape, [.. bits.SelectMany(BitConverter.GetBytes)]);
                    f32.Add(name, f.Get(name).Shape, Array.ConvertAll(bits, Tensors.HalfFloat.BF16ToSingle));
                }
                bf16.Save(Path.Combine(half, "model.safetensors"));
                f32.Save(Path.Combine(wide, "model.safetensors"));
            }
            foreach (var folder in new[] { half, wide }) File.Copy(Fixtures.Path("qwen25-vl-tiny", "config.json"), Path.Combine(folder, "config.json"));
            using var a = Qwen25VlModel.Load(half, new CpuBackend());
            using var b = Qwen25VlModel.Load(wide, new CpuBackend());
            var images = new[] { Image("imgC", 6, 10) };
            var (fa, fb) = (a.ImageFeatures(images), b.ImageFeatures(images));
            for (int i = 0; i < fa.Length; i++) Assert.True(Math.Abs(fa[i] - fb[i]) <= 1e-5f * (1 + Math.Abs(fb[i])), $"feature {i}: {fa[i]} vs {fb[i]}");
            using var original = Qwen25VlModel.Load(Folder, new CpuBackend());
            Assert.NotEqual(original.ImageFeatures(images), fb);   // the rounding moved them: a loader reading F32 bits would show
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Theory]
    [InlineData(7)]
    [InlineData(9)]
    [InlineData(0)]
    [InlineData(2)]
    public void AnImageTokenCountOtherThanTheFeatureCountIsRefused(int imageTokens)
    {
        using var model = Qwen25VlModel.Load(Folder, new CpuBackend());
        var e = Assert.Throws<ArgumentException>(() => model.Prepare(PromptIds(imageTokens), [Image("imgA", 8, 4)]));
        Assert.Contains("Image features and image tokens do not match", e.Message);
        Assert.Contains($"{imageTokens} image tokens", e.Message);
    }

    [Fact]
    public void TheImageTokenOncePerImageIsExpandedToEachImagesTokens()
    {
        using var model = Qwen25VlModel.Load(Folder, new CpuBackend());
        var images = new[] { Image("imgA", 8, 4), Image("imgE", 6, 4) };   // 8 and 6 tokens
        var once = model.Prepare([5, VisionStart, ImageToken, VisionEnd, 7, VisionStart, ImageToken, VisionEnd], images);
        int[] expanded = [5, VisionStart, .. Enumerable.Repeat(ImageToken, 8), VisionEnd, 7, VisionStart, .. Enumerable.Repeat(ImageToken, 6), VisionEnd];
        Assert.Equal(expanded, once.Ids);
        var given = model.Prepare(expanded, images);
        Assert.Equal(given.Ids, once.Ids);
        Assert.Equal(given.Rows.RopePositions, once.Rows.RopePositions);
        Assert.Equal(model.Forward(given), model.Forward(once));
    }

    [Fact]
    public void TheTextPlaceholderBecomesVisionStartImageTokenVisionEnd()
    {
        using var model = Qwen25VlModel.Load(Folder, new CpuBackend());
        var tok = Tokenizer.FromFolder(Path.GetDirectoryName(Fixtures.Path("stories260K", "tokenizer.json"))!);
        var ids = model.Encode(tok, "Lily saw <image> and smiled", images: 1);
        int[] before = tok.Encode("Lily saw ", addSpecialTokens: true), after = tok.Encode(" and smiled");
        Assert.Equal([.. before, VisionStart, ImageToken, VisionEnd, .. after], ids);
        var prompt = model.Prepare(ids, [Image("imgB", 4, 8)]);
        Assert.Equal([.. before, VisionStart, .. Enumerable.Repeat(ImageToken, 8), VisionEnd, .. after], prompt.Ids);
    }

    [Fact]
    public void PositionIdsFollowGetRopeIndex()
    {
        using var model = Qwen25VlModel.Load(Folder, new CpuBackend());
        var c = model.Config;
        // The README's prompt0: merged grid 4 x 2 after three text tokens.
        int[] ids = [152, 388, 240, VisionStart, .. Enumerable.Repeat(ImageToken, 8), VisionEnd, 439, 1022, 822, 991];
        var p = MropePositions.Of(ids, [new ImageGrid(1, 8, 4)], c);
        Assert.Equal([0, 1, 2, 3, 4, 4, 4, 4, 4, 4, 4, 4, 8, 9, 10, 11, 12], Row(p, 0));
        Assert.Equal([0, 1, 2, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 9, 10, 11, 12], Row(p, 1));
        Assert.Equal([0, 1, 2, 3, 4, 5, 4, 5, 4, 5, 4, 5, 8, 9, 10, 11, 12], Row(p, 2));
        Assert.Equal(-4, p.Delta);

        // As in HF, image tokens that no vision start token announces take text positions.
        int[] bare = [152, .. Enumerable.Repeat(ImageToken, 8), 439];
        var text = MropePositions.Of(bare, [new ImageGrid(1, 8, 4)], c);
        Assert.Equal(Enumerable.Range(0, 10), Row(text, 1));
        Assert.Equal(0, text.Delta);

        // A run broken by another token cannot hold the image's grid.
        int[] broken = [VisionStart, .. Enumerable.Repeat(ImageToken, 4), 5, .. Enumerable.Repeat(ImageToken, 4), VisionEnd];
        var e = Assert.Throws<ArgumentException>(() => MropePositions.Of(broken, [new ImageGrid(1, 8, 4)], c));
        Assert.Contains("takes 8 consecutive image tokens", e.Message);
        e = Assert.Throws<ArgumentException>(() => MropePositions.Of(ids, [], c));
        Assert.Contains("announces 1 images", e.Message);
        e = Assert.Throws<ArgumentException>(() => MropePositions.Of([5, VisionStart, c.VideoTokenId, VisionEnd], [], c));
        Assert.Contains("videos are not supported", e.Message);
    }

    static int[] Row(MropePositions p, int k) => [.. Enumerable.Range(0, p.Positions.Length / 3).Select(t => p.Positions[3 * t + k])];

    [Fact]
    public void WindowAttentionInWindowOrderEqualsMaskedAttentionInRowOrder()
    {
        // The tower attends within windows after permuting rows into window order; the reference here attends in the
        // processor's row order with a same-window mask (the README's equivalence), from the recorded inputs of block 0.
        using var model = Qwen25VlModel.Load(Folder, new CpuBackend());
        var c = model.Config.Vision;
        var images = new[] { Image("imgD", 8, 12) };
        int n = 96;
        var record = new Qwen25VisionRecording(c, n);
        model.ImageFeatures(images, record);
        var windows = VisionWindows.Of([images[0].Grid], c.MergeSize, c.WindowUnits);
        var windowOf = new int[n];   // processor row -> its window
        for (int s = 0; s + 1 < windows.CuWindowSeqlens.Length; s++)
            for (int r = windows.CuWindowSeqlens[s]; r < windows.CuWindowSeqlens[s + 1]; r++) windowOf[windows.RowOrder[r]] = s;
        for (int q = 0; q < n; q++)
            for (int k = 0; k < n; k++)
                for (int h = 0; h < c.Heads; h++)
                {
                    float p = record.AttnProbs[(h * n + q) * n + k];   // block 0 uses windows
                    if (windowOf[q] != windowOf[k]) Assert.Equal(0f, p);
                }
        // Rows of a window sum to one over their window only; full-attention block 1 spreads over the whole image.
        for (int q = 0; q < n; q++)
        {
            double inWindow = Enumerable.Range(0, n).Where(k => windowOf[k] == windowOf[q]).Sum(k => (double)record.AttnProbs[q * n + k]);
            Assert.Equal(1.0, inWindow, 1e-5);
            Assert.True(Enumerable.Range(0, n).Count(k => record.AttnProbs[(1 * c.Heads * n + q) * n + k] > 0) > 16);
        }
        var reference = ReferenceBlock0(model, record, windowOf);
        for (int i = 0; i < reference.Length; i++)
            Assert.True(Math.Abs(reference[i] - record.HiddenStates[n * c.Hidden + i]) <= 1e-5 + 1e-5 * Math.Abs(reference[i]),
                        $"hidden_states[1] flat {i}: reference {reference[i]}, tower {record.HiddenStates[n * c.Hidden + i]}");
    }

    /// <summary>Block 0 written plainly in row order: masked attention, 2-D rotary by each row's patch position.</summary>
    static float[] ReferenceBlock0(Qwen25VlModel model, Qwen25VisionRecording record, int[] windowOf)
    {
        var c = model.Config.Vision;
        using var store = WeightStore.Open(Folder);
        var w = Qwen25VisionWeights.Load(store, c, model.Layout.Vision);
        var B = w.Blocks[0];
        int n = windowOf.Length, d = c.Hidden, dh = c.DHead, f = c.Intermediate;
        var x = record.HiddenStates.AsSpan(0, n * d).ToArray();
        var pos = Qwen25VisionTower.PatchPositions([new ImageGrid(1, 8, 12)], c.MergeSize);
        double[] Norm(float[] v, float[] g, int r)
        {
            double ms = 0;
            for (int i = 0; i < d; i++) ms += (double)v[r * d + i] * v[r * d + i];
            double inv = 1 / Math.Sqrt(ms / d + 1e-6);
            return [.. Enumerable.Range(0, d).Select(i => g[i] * v[r * d + i] * inv)];
        }
        double Dot(double[] a, Runtime.Cpu.WeightMatrix m, int output) => Enumerable.Range(0, a.Length).Sum(i => a[i] * m[i, output]);
        // q, k, v per row: [n][3 d] with rotation applied to q and k.
        var qkv = new double[n][];
        for (int r = 0; r < n; r++)
        {
            var h = Norm(x, B.Norm1, r);
            qkv[r] = [.. Enumerable.Range(0, 3 * d).Select(o => Dot(h, B.Qkv, o) + B.QkvBias[o])];
            for (int part = 0; part < 2; part++)
                for (int head = 0; head < c.Heads; head++)
                {
                    var v = qkv[r].AsSpan(part * d + head * dh, dh).ToArray();
                    for (int j = 0; j < dh; j++)
                    {
                        int i = j % (dh / 2), quarter = dh / 4;
                        double angle = (i < quarter ? pos[2 * r] : pos[2 * r + 1]) * Math.Pow(10000, -2.0 * (i % quarter) / (dh / 2));
                        double rotated = j < dh / 2 ? -v[j + dh / 2] : v[j - dh / 2];
                        qkv[r][part * d + head * dh + j] = v[j] * Math.Cos(angle) + rotated * Math.Sin(angle);
                    }
                }
        }
        var attn = new double[n * d];
        for (int head = 0; head < c.Heads; head++)
            for (int q = 0; q < n; q++)
            {
                var keys = Enumerable.Range(0, n).Where(k => windowOf[k] == windowOf[q]).ToArray();
                var s = keys.Select(k => Enumerable.Range(0, dh).Sum(j => qkv[q][head * dh + j] * qkv[k][d + head * dh + j]) / Math.Sqrt(dh)).ToArray();
                double max = s.Max(), sum = s.Sum(v => Math.Exp(v - max));
                for (int a = 0; a < keys.Length; a++)
                    for (int j = 0; j < dh; j++) attn[q * d + head * dh + j] += Math.Exp(s[a] - max) / sum * qkv[keys[a]][2 * d + head * dh + j];
            }
        var y = new float[n * d];
        for (int r = 0; r < n; r++)
        {
            var row = attn.AsSpan(r * d, d).ToArray();
            for (int o = 0; o < d; o++) x[r * d + o] += (float)(Dot(row, B.Proj, o) + B.ProjBias[o]);
            var h = Norm(x, B.Norm2, r);
            var act = Enumerable.Range(0, f).Select(i =>
            {
                double g = Dot(h, B.GateUp, i) + B.GateUpBias[i], u = Dot(h, B.GateUp, f + i) + B.GateUpBias[f + i];
                return g / (1 + Math.Exp(-g)) * u;
            }).ToArray();
            for (int o = 0; o < d; o++) y[r * d + o] = x[r * d + o] + (float)(Dot(act, B.Down, o) + B.DownBias[o]);
        }
        return y;
    }

    [Fact]
    public void TheImagePolicyLeavesEveryPositionBeforeTheImageUnchanged()
    {
        using var model = Qwen25VlModel.Load(Folder, new CpuBackend());
        var prompt = model.Prepare(PromptIds(1), [Image("imgA", 8, 4)]);
        var t = model.Text.Config;
        var scales = HeadScales.Parse("L0H1=-1,L1H3=5", t.Layers, t.Heads, PositionPolicy.Image);
        var plain = model.Forward(prompt);
        var scaled = model.Forward(prompt, scales);
        int first = prompt.ImagePositions[0], vocab = t.Vocab;
        Assert.Equal(plain.AsSpan(0, first * vocab).ToArray(), scaled.AsSpan(0, first * vocab).ToArray());
        Assert.NotEqual(plain.AsSpan(first * vocab, vocab).ToArray(), scaled.AsSpan(first * vocab, vocab).ToArray());
    }

    [Fact]
    public void BatchedCaptureOfPromptsWithDifferentImagesEqualsTheRecordedMeans()
    {
        using var model = Qwen25VlModel.Load(Folder, new CpuBackend());
        int[][] prompts = [PromptIds(1), [VisionStart, ImageToken, VisionEnd, 503, 510], [7, VisionStart, ImageToken, VisionEnd, 9, VisionStart, ImageToken, VisionEnd]];
        PreparedImage[][] images = [[Image("imgA", 8, 4)], [Image("imgC", 6, 10)], [Image("imgE", 6, 4), Image("imgB", 4, 8)]];
        for (int i = 0; i < prompts.Length; i++) Assert.NotEqual(0, model.Prepare(prompts[i], images[i]).Rows.RopeDelta);   // three rotary layouts
        VisionLanguageModelTests.AssertBatchedCaptureEqualsRecordedMeans(model, prompts, images);
    }

    [Fact]
    public void BatchedGenerationOfPromptsWithDifferentRopeDeltasEqualsSeparateRuns()
    {
        using var model = Qwen25VlModel.Load(Folder, new CpuBackend());
        var a = model.Prepare(PromptIds(1), [Image("imgA", 8, 4)]);                                   // delta -4
        var b = model.Prepare([346, VisionStart, ImageToken, VisionEnd, 749], [Image("imgC", 6, 10)]);  // delta -10
        var options = new SamplingOptions { MaxNewTokens = 6 };
        var both = model.Generate([a, b], options);
        Assert.Equal(model.Generate([a], options).NewTokens[0], both.NewTokens[0]);
        Assert.Equal(model.Generate([b], options).NewTokens[0], both.NewTokens[1]);
        // Generated tokens rotate by their index + delta: without the delta the continuation differs.
        var noDelta = a with { Rows = a.Rows with { RopeDelta = 0 } };
        Assert.NotEqual(both.NewTokens[0], model.Generate([noDelta], options).NewTokens[0]);
    }

    /// <summary>Three text ids, vision start, the image token n times, vision end, four text ids (prompt0's shape).</summary>
    static int[] PromptIds(int imageTokens) => [152, 388, 240, VisionStart, .. Enumerable.Repeat(ImageToken, imageTokens), VisionEnd, 439, 1022, 822, 991];

    /// <summary>A preprocessing case's stored pixel_values as a prepared image with its grid (rows x columns in patches).</summary>
    static Qwen25VlModel.Image Image(string name, int gridH, int gridW)
    {
        using var f = SafeTensorsFile.Open(Fixtures.Path("qwen25-vl-tiny", "expected.safetensors"));
        return new Qwen25VlModel.Image(name, f.Get($"{name}.pixel_values").ToFloatArray(), new ImageGrid(1, gridH, gridW));
    }
}

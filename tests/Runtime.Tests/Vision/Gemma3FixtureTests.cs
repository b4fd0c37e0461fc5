using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Generation;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.SafeTensors;
using HeadPursuit.Runtime.Verification;
using HeadPursuit.Runtime.Vision;
using HeadPursuit.Runtime.Vision.Gemma3;
using HeadPursuit.Tests;
using Xunit.Abstractions;

namespace HeadPursuit.Runtime.Tests.Vision;

/// <summary>
/// Every gemma3-vlm-tiny case (its README; MANIFEST section 5) with both tensor layouts, and the Gemma 3 image
/// behaviours: the expansion of the image token, bidirectional attention inside one image, batching.
/// </summary>
public sealed class Gemma3FixtureTests(ITestOutputHelper output) : IDisposable
{
    const int Image = 1020, Boi = 1000, Eoi = 1001, NewlineNewline = 108;
    static string Folder => Fixtures.Path("gemma3-vlm-tiny");
    readonly string _dir = Directory.CreateTempSubdirectory("hp-gemma3-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The fixture's model under the transformers &gt;= 4.52 tensor names (model.vision_tower..., model.language_model...).</summary>
    string NewLayout()
    {
        string folder = Directory.CreateDirectory(Path.Combine(_dir, "new-layout")).FullName;
        foreach (var f in new[] { "config.json", "preprocessor_config.json" }) File.Copy(Path.Combine(Folder, f), Path.Combine(folder, f));
        using var classic = SafeTensorsFile.Open(Path.Combine(Folder, "model.safetensors"));
        var writer = new SafeTensorsWriter();
        foreach (var name in classic.Names)
        {
            string renamed = name.StartsWith("language_model.model.", StringComparison.Ordinal)
                ? "model.language_model." + name["language_model.model.".Length..]
                : "model." + name;   // vision_tower.vision_model.X, multi_modal_projector.X
            var t = classic.Get(name);
            writer.Add(renamed, t.Shape, t.ToFloatArray());
        }
        writer.Save(Path.Combine(folder, "model.safetensors"));
        return folder;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EveryCaseMatchesTheReference(bool newLayout)
    {
        var results = Gemma3Verifier.Run(Folder, new CpuBackend(), newLayout ? NewLayout() : null).ToList();
        foreach (var r in results) output.WriteLine(r.ToString());
        Assert.All(results, r => Assert.True(r.Passed, r.ToString()));
        // Every quantity of every case was compared (nothing silently skipped).
        string[] model = ["logits", "z", "head_out", "attn_out", "attn_probs", "resid", "final_norm", "attn_post_norm", "mlp_out_post_norm",
                          "inputs_embeds", "mask_full_attention", "mask_sliding_attention", "image_pos", "token_type_ids"];
        string[] image = ["vision_hidden_states", "vision_attn_probs", "vision_last_hidden_state", "image_pooled", "image_pooled_normed",
                          "image_features", "z_image_mean", "head_out_image_mean"];
        string[] expectedChecks =
        [
            .. new[] { "img0", "img1", "img2", "img3" }.SelectMany(i => new[] { $"{i}/decoded", $"{i}/resized", $"{i}/pixel_values" }),
            .. new[] { "prompt0", "prompt1" }.SelectMany(p => model.Concat(image).Select(q => $"{p}/{q}")),
            .. model.Select(q => $"prompt2/{q}"),
            .. new[] { "int_all", "int_image" }.SelectMany(p => new[] { "logits", "z", "head_out", "attn_out", "z_image_mean", "head_out_image_mean", "scaled_pos" }
                .Select(q => $"{p}/{q}")),
            .. new[] { "gen_base", "gen_int", "gen_int_image" }.SelectMany(g => new[] { $"{g}/new_ids", $"{g}/step_logits" }),
            "too_few_image_tokens/refused",
        ];
        var done = results.Select(r => $"{r.Case}/{r.Quantity}").ToHashSet();
        Assert.All(expectedChecks, c => Assert.Contains(c, done));
    }
}

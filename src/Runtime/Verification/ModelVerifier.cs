using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Generation;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.SafeTensors;

namespace HeadPursuit.Runtime.Verification;

/// <summary>
/// Runs every case of a model fixture folder (config.json, model.safetensors, cases.json, expected.safetensors)
/// and compares each listed tensor with the MANIFEST's tolerances: |a - e| &lt;= 1e-4 + 1e-4 |e| for activations and
/// logits, 1e-5 absolute for attention probabilities, exact ids for generations.
/// </summary>
internal static class ModelVerifier
{
    public const double Atol = 1e-4, Rtol = 1e-4, ProbAtol = 1e-5;

    /// <summary>Whether the folder is a model fixture: a cases.json naming a "family" beside a config.json.</summary>
    public static bool IsModelFixture(string folder)
    {
        string cases = Path.Combine(folder, "cases.json");
        if (!File.Exists(cases) || !File.Exists(Path.Combine(folder, "config.json"))) return false;
        using var doc = Input.JsonFile.Parse(cases);
        return doc.RootElement.TryGetProperty("family", out var f) && f.ValueKind == System.Text.Json.JsonValueKind.String;
    }

    /// <summary>
    /// Vision-language fixtures go to their family's verifier (Qwen2.5-VL's checks both tensor layouts), sequence
    /// classifiers ("roberta") to <see cref="ClassifierVerifier"/>; every other one is a text model of any family
    /// (config.json says which).
    /// </summary>
    public static IEnumerable<Comparison> Run(string folder, IBackend backend)
    {
        var fixture = ModelFixture.Load(folder);
        return fixture.Family switch
        {
            "llava" => Vision.LlavaVerifier.Run(folder, backend),
            "llava_next" => Vision.LlavaNext.LlavaNextVerifier.Run(folder, backend),
            Vision.Qwen25Vl.Qwen25VlFixture.Family => Vision.Qwen25Vl.Qwen25VlVerifier.RunEveryLayout(folder, backend),
            "gemma3" => Vision.Gemma3.Gemma3Verifier.Run(folder, backend),
            var family when SequenceClassifier.Reads(family) => ClassifierVerifier.Run(folder, backend),
            _ => RunText(folder, fixture, backend),
        };
    }

    static IEnumerable<Comparison> RunText(string folder, ModelFixture fixture, IBackend backend)
    {
        using var model = Transformer.Load(folder, backend);
        using var expected = SafeTensorsFile.Open(fixture.ExpectedFile);
        var c = model.Config;

        foreach (var fc in fixture.Forward.Concat(fixture.Interventions))
        {
            var scales = fixture.ToScales(fc.Scales, c.Layers, c.Heads);
            int T = fc.InputIds.Length;
            var rec = new ForwardRecording(c.Layers, T, c.Heads, c.DHead, c.DModel, probs: fc.Tensors.ContainsKey("attn_probs"));
            using var cache = model.NewCache(1, T);
            var logits = model.Forward(new ForwardRequest { Tokens = fc.InputIds, Layout = BatchLayout.Single(T), Logits = LogitRows.All, Scales = scales, Record = rec }, cache);
            foreach (var (quantity, tensorName) in fc.Tensors)
            {
                float[] actual = quantity switch
                {
                    "logits" => logits,
                    "z" => rec.Z,
                    "head_out" => HeadOutputs.Compute(model, rec, scales),
                    "attn_out" => rec.AttnOut,
                    "attn_probs" => rec.Probs!,
                    "resid" => rec.Resid,
                    "final_norm" => rec.FinalNorm,
                    _ => throw new ModelFormatException($"{folder}: case {fc.Name} lists an unknown quantity '{quantity}'"),
                };
                double atol = quantity == "attn_probs" ? ProbAtol : Atol, rtol = quantity == "attn_probs" ? 0 : Rtol;
                yield return Comparison.Of(fc.Name, quantity, actual, expected.Get(tensorName).ToFloatArray(), atol, rtol);
            }
        }

        var generator = new Generator(model);
        foreach (var g in fixture.Generations)
        {
            var scales = fixture.ToScales(g.Scales, c.Layers, c.Heads);
            var result = generator.Generate([g.PromptIds], new SamplingOptions { MaxNewTokens = g.MaxNewTokens }, scales, keepStepLogits: g.StepLogitsTensor != null);
            yield return Comparison.Exact(g.Name, "new_ids", result.NewTokens[0], g.NewIds);
            if (g.StepLogitsTensor != null)
                yield return Comparison.Of(g.Name, "step_logits", result.StepLogits![0].SelectMany(x => x).ToArray(),
                                           expected.Get(g.StepLogitsTensor).ToFloatArray(), Atol, Rtol);
        }
    }
}

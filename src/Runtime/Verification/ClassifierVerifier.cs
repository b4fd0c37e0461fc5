using System.Text.Json;
using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.Models.Families;
using HeadPursuit.Runtime.SafeTensors;

namespace HeadPursuit.Runtime.Verification;

/// <summary>
/// Runs a sequence-classifier fixture (roberta-cls-tiny's layout: config.json, model.safetensors, tokenizer, cases.json,
/// expected.safetensors) with the tolerances of <see cref="ModelVerifier"/>:
/// <list type="bullet">
/// <item>"forward": one text each: its ids from the tokenizer and its position ids (exact), logits, probs, cls_dense, z,
/// head_out, attn_out, attn_probs, resid, last_hidden_state, and the predicted label (exact);</item>
/// <item>"batch": padded batches (either side) with their attention mask: the rows without their pads are run packed in
/// one call, and every tensor is compared at the real positions only (values at pad positions mean nothing).</item>
/// </list>
/// </summary>
internal static class ClassifierVerifier
{
    public static IEnumerable<Comparison> Run(string folder, IBackend backend)
    {
        using var doc = Input.JsonFile.Parse(Path.Combine(folder, "cases.json"));
        var root = doc.RootElement;
        string expectedFile = Path.Combine(folder, root.TryGetProperty("expected_file", out var e) ? e.GetString()! : "expected.safetensors");
        using var classifier = SequenceClassifier.Load(folder, backend);
        using var expected = SafeTensorsFile.Open(expectedFile);
        var c = classifier.Config;
        int L = c.Layers, H = c.Heads, dh = c.DHead, d = c.DModel;
        Comparison Close(string name, string quantity, float[] actual, string tensor) =>
            quantity == "attn_probs" ? Comparison.Of(name, quantity, actual, expected.Get(tensor).ToFloatArray(), ModelVerifier.ProbAtol, 0)
                                     : Comparison.Of(name, quantity, actual, expected.Get(tensor).ToFloatArray(), ModelVerifier.Atol, ModelVerifier.Rtol);

        foreach (var fc in Cases(root, "forward"))
        {
            string name = fc.GetProperty("name").GetString()!;
            int[] ids = Ints(fc.GetProperty("input_ids"));
            int T = ids.Length;
            if (fc.TryGetProperty("text", out var text)) yield return Comparison.Exact(name, "input_ids", classifier.Encode(text.GetString()!), ids);
            if (fc.TryGetProperty("position_ids", out var positionIds))
                yield return Comparison.Exact(name, "position_ids", Roberta.PositionIds(ids, c.PadId), Ints(positionIds));
            var tensors = fc.GetProperty("tensors").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
            var rec = new ClassifierRecording(L, T, 1, H, dh, d, probs: tensors.ContainsKey("attn_probs"));
            float[] logits = classifier.Model.Logits([ids], rec);
            float[] probs = classifier.Probabilities(logits);
            if (fc.TryGetProperty("predicted_label", out var label))
                yield return Comparison.Exact(name, "label", [c.Labels[Array.IndexOf(probs, probs.Max())]], [label.GetString()!]);
            foreach (var (quantity, tensor) in tensors)
            {
                float[] actual = quantity switch
                {
                    "logits" => logits,
                    "probs" => probs,
                    "cls_dense" => rec.ClsDense,
                    "z" => rec.Z,
                    "head_out" => HeadOutputs.Compute(l => classifier.Model.Output(l).Blocks(H, dh), rec.Z, L, T, H, dh, d, scales: null),
                    "attn_out" => rec.AttnOut,
                    "attn_probs" => rec.Probs!,
                    "resid" => rec.Resid,
                    "last_hidden_state" => rec.Resid[(L * T * d)..],
                    _ => throw new ModelFormatException($"{folder}: case {name} lists an unknown quantity '{quantity}'"),
                };
                yield return Close(name, quantity, actual, tensor);
            }
        }

        foreach (var bc in Cases(root, "batch"))
        {
            string name = bc.GetProperty("name").GetString()!;
            int[][] padded = [.. bc.GetProperty("input_ids").EnumerateArray().Select(Ints)];          // [B, Tmax]
            int[][] mask = [.. bc.GetProperty("attention_mask").EnumerateArray().Select(Ints)];       // [B, Tmax]
            int B = padded.Length, Tmax = padded[0].Length;
            int[][] real = [.. Enumerable.Range(0, B).Select(b => Enumerable.Range(0, Tmax).Where(t => mask[b][t] != 0).ToArray())];   // real positions per row
            int[][] texts = [.. Enumerable.Range(0, B).Select(b => real[b].Select(t => padded[b][t]).ToArray())];
            if (bc.TryGetProperty("position_ids", out var positionIds))
            {
                int[][] positions = [.. positionIds.EnumerateArray().Select(Ints)];   // [B, Tmax]
                yield return Comparison.Exact(name, "position_ids", [.. texts.SelectMany(ids => Roberta.PositionIds(ids, c.PadId))],
                                              [.. Enumerable.Range(0, B).SelectMany(b => real[b].Select(t => positions[b][t]))]);
            }
            int rows = texts.Sum(t => t.Length);
            var rec = new ClassifierRecording(L, rows, B, H, dh, d, probs: false);
            float[] logits = classifier.Model.Logits(texts, rec);
            int labels = c.Labels.Length;
            // Expected values at the real positions, in the packed order of the rows: text by text, position by position.
            float[] AtRealPositions(string tensor, int layers)
            {
                var all = expected.Get(tensor).ToFloatArray();   // [B, layers, Tmax, d] (layers 1: [B, Tmax, d])
                var packed = new float[layers * rows * d];      // [layers, rows, d]
                int row = 0;
                for (int b = 0; b < B; b++)
                    foreach (int t in real[b])
                    {
                        for (int l = 0; l < layers; l++)
                            all.AsSpan(((b * layers + l) * Tmax + t) * d, d).CopyTo(packed.AsSpan((l * rows + row) * d, d));
                        row++;
                    }
                return packed;
            }
            foreach (var p in bc.GetProperty("tensors").EnumerateObject())
            {
                string tensor = p.Value.GetString()!;
                var (actual, wanted) = p.Name switch
                {
                    "logits" => (logits, expected.Get(tensor).ToFloatArray()),
                    "probs" => ([.. Enumerable.Range(0, B).SelectMany(b => classifier.Probabilities(logits.AsSpan(b * labels, labels)))], expected.Get(tensor).ToFloatArray()),
                    "last_hidden_state" => (rec.Resid[(L * rows * d)..], AtRealPositions(tensor, 1)),
                    "resid" => (rec.Resid, AtRealPositions(tensor, L + 1)),
                    var q => throw new ModelFormatException($"{folder}: batch {name} lists an unknown quantity '{q}'"),
                };
                yield return Comparison.Of(name, p.Name, actual, wanted, ModelVerifier.Atol, ModelVerifier.Rtol);
            }
        }
    }

    static JsonElement[] Cases(JsonElement root, string key) =>
        root.TryGetProperty(key, out var a) ? [.. a.EnumerateArray().Select(x => x.Clone())] : [];

    static int[] Ints(JsonElement a) => [.. a.EnumerateArray().Select(x => x.GetInt32())];
}

using System.Runtime.InteropServices;
using HeadPursuit.Runtime.Cpu;
using HeadPursuit.Runtime.SafeTensors;
using HeadPursuit.Runtime.Tensors;

namespace HeadPursuit.Runtime.Models;

/// <summary>
/// Every parameter of a GPT-2 or Llama-family checkpoint, found by its Hugging Face name and checked
/// against the config's shapes. Accepts GPT-2 names with or without the "transformer." prefix (hub
/// checkpoints omit it) and ignores GPT-2's attn.bias / attn.masked_bias mask buffers.
/// </summary>
public sealed class TransformerWeights
{
    public required ModelConfig Config { get; init; }
    /// <summary>Token embedding [vocab, d_model].</summary>
    public required TensorView TokenEmbedding { get; init; }
    /// <summary>GPT-2 learned positions [n_positions, d_model]; null for RoPE models.</summary>
    public TensorView? PositionEmbedding { get; init; }
    public required LayerWeights[] Layers { get; init; }
    public required float[] FinalNormWeight { get; init; }  // [d_model]
    public float[]? FinalNormBias { get; init; }            // [d_model]
    /// <summary>Unembedding as an [out = vocab, in = d_model] matrix (lm_head, or the tied token embedding).</summary>
    public required WeightMatrix Unembedding { get; init; }

    /// <param name="llamaName">Maps a Llama-family HF name ("model.layers.0.…", "lm_head.weight") to its name in the store,
    /// for checkpoints that nest the language model (LLaVA's "language_model.model.…"); null = the names as they are.</param>
    public static TransformerWeights Load(WeightStore store, ModelConfig config, Func<string, string>? llamaName = null) => config.Family switch
    {
        ModelFamily.Gpt2 => LoadGpt2(store, config),
        _ => LoadLlama(store, config, llamaName ?? (n => n)),
    };

    static TransformerWeights LoadGpt2(WeightStore s, ModelConfig c)
    {
        string p = s.Contains("transformer.wte.weight") ? "transformer." : "";
        int d = c.DModel, f = c.DFF;
        TensorView T(string name, params int[] shape) => s.Get(p + name).ExpectShape(shape);
        float[] V(string name, int n) => T(name, n).ToFloatArray();
        var layers = new LayerWeights[c.Layers];
        for (int i = 0; i < c.Layers; i++)
        {
            string h = $"h.{i}.";
            layers[i] = new LayerWeights
            {
                Norm1Weight = V(h + "ln_1.weight", d), Norm1Bias = V(h + "ln_1.bias", d),
                Qkv = new WeightMatrix(T(h + "attn.c_attn.weight", d, 3 * d), WeightLayout.InOut), QkvBias = V(h + "attn.c_attn.bias", 3 * d),
                O = new WeightMatrix(T(h + "attn.c_proj.weight", d, d), WeightLayout.InOut), OBias = V(h + "attn.c_proj.bias", d),
                Norm2Weight = V(h + "ln_2.weight", d), Norm2Bias = V(h + "ln_2.bias", d),
                Up = new WeightMatrix(T(h + "mlp.c_fc.weight", d, f), WeightLayout.InOut), UpBias = V(h + "mlp.c_fc.bias", f),
                Down = new WeightMatrix(T(h + "mlp.c_proj.weight", f, d), WeightLayout.InOut), DownBias = V(h + "mlp.c_proj.bias", d),
            };
        }
        var wte = T("wte.weight", c.Vocab, d);
        return new TransformerWeights
        {
            Config = c, TokenEmbedding = wte, PositionEmbedding = T("wpe.weight", c.MaxPositions, d), Layers = layers,
            FinalNormWeight = V("ln_f.weight", d), FinalNormBias = V("ln_f.bias", d),
            Unembedding = new WeightMatrix(c.TieEmbeddings || !s.Contains("lm_head.weight") ? wte : s.Get("lm_head.weight").ExpectShape(c.Vocab, d), WeightLayout.OutIn),
        };
    }

    static TransformerWeights LoadLlama(WeightStore s, ModelConfig c, Func<string, string> fileName)
    {
        int d = c.DModel, f = c.DFF, q = c.Heads * c.DHead, kv = c.KvHeads * c.DHead;
        TensorView T(string name, params int[] shape) => s.Get(fileName(name)).ExpectShape(shape);
        float[] V(string name, int n) => T(name, n).ToFloatArray();
        var layers = new LayerWeights[c.Layers];
        for (int i = 0; i < c.Layers; i++)
        {
            string l = $"model.layers.{i}.";
            string a = l + "self_attn.", m = l + "mlp.";
            var qkv = StackRows($"{a}qkv_proj(stacked)", T(a + "q_proj.weight", q, d), T(a + "k_proj.weight", kv, d), T(a + "v_proj.weight", kv, d));
            var gateUp = StackRows($"{m}gate_up_proj(stacked)", T(m + "gate_proj.weight", f, d), T(m + "up_proj.weight", f, d));
            layers[i] = new LayerWeights
            {
                Norm1Weight = V(l + "input_layernorm.weight", d),
                Qkv = new WeightMatrix(qkv, WeightLayout.OutIn),
                QkvBias = c.QkvBias ? [.. V(a + "q_proj.bias", q), .. V(a + "k_proj.bias", kv), .. V(a + "v_proj.bias", kv)] : null,
                O = new WeightMatrix(T(a + "o_proj.weight", d, q), WeightLayout.OutIn),
                OBias = c.OutputBias ? V(a + "o_proj.bias", d) : null,
                Norm2Weight = V(l + "post_attention_layernorm.weight", d),
                Up = new WeightMatrix(gateUp, WeightLayout.OutIn),
                UpBias = c.MlpBias ? [.. V(m + "gate_proj.bias", f), .. V(m + "up_proj.bias", f)] : null,
                Down = new WeightMatrix(T(m + "down_proj.weight", d, f), WeightLayout.OutIn),
                DownBias = c.MlpBias ? V(m + "down_proj.bias", d) : null,
            };
        }
        var embed = T("model.embed_tokens.weight", c.Vocab, d);
        var head = c.TieEmbeddings ? embed : T("lm_head.weight", c.Vocab, d);
        return new TransformerWeights
        {
            Config = c, TokenEmbedding = embed, Layers = layers,
            FinalNormWeight = V("model.norm.weight", d),
            Unembedding = new WeightMatrix(head, WeightLayout.OutIn),
        };
    }

    /// <summary>
    /// Concatenates [out_i, in] matrices of one dtype along the rows into a new pinned buffer, so two or
    /// three projections of the same input run as one matrix multiply. The copy keeps the file dtype.
    /// </summary>
    static unsafe TensorView StackRows(string name, params TensorView[] parts)
    {
        var dtype = parts[0].DType;
        if (parts.Any(x => x.DType != dtype))
            throw new ModelFormatException($"{name}: {string.Join(", ", parts.Select(x => $"'{x.Name}' is {x.DType}"))}; they must share a dtype");
        int cols = parts[0].Shape[1], rows = parts.Sum(x => x.Shape[0]);
        long bytes = parts.Sum(x => x.ByteLength);
        var buffer = GC.AllocateUninitializedArray<byte>(checked((int)bytes), pinned: true);
        long at = 0;
        foreach (var part in parts)
        {
            part.Bytes.CopyTo(buffer.AsSpan((int)at));
            at += part.ByteLength;
        }
        return new TensorView(name, dtype, [rows, cols], (byte*)Marshal.UnsafeAddrOfPinnedArrayElement(buffer, 0), parts[0].Source, owner: buffer);
    }
}

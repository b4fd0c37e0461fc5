using System.Text.Json.Nodes;
using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.SafeTensors;
using HeadPursuit.Runtime.Tensors;

namespace HeadPursuit.Bench;

/// <summary>
/// A model folder with real shapes and random weights (uniform with standard deviation 0.02, GPT-2's init scale; norm
/// gains 1), written to a temporary folder as config.json + model.safetensors so the benchmark loads it exactly like a
/// downloaded checkpoint. Filling is a fast xorshift, since 7B values must be made in seconds on the GPU machine.
/// </summary>
sealed class RandomModel : IDisposable
{
    public string Folder { get; }
    public ModelConfig Config { get; }

    RandomModel(string folder, ModelConfig config) { Folder = folder; Config = config; }

    public static RandomModel Gpt2Small(DType dtype) => Create("gpt2", new JsonObject
    {
        ["model_type"] = "gpt2", ["n_embd"] = 768, ["n_layer"] = 12, ["n_head"] = 12, ["vocab_size"] = 50257, ["n_positions"] = 1024, ["layer_norm_epsilon"] = 1e-5,
    }, dtype);

    /// <summary>A Llama-family shape with grouped-query attention (16 query heads sharing 4 kv heads), about 150M parameters.</summary>
    public static RandomModel LlamaGqa(DType dtype) => Create("llama", new JsonObject
    {
        ["model_type"] = "llama", ["hidden_size"] = 1024, ["intermediate_size"] = 2816, ["num_hidden_layers"] = 8, ["num_attention_heads"] = 16, ["num_key_value_heads"] = 4, ["vocab_size"] = 32000, ["max_position_embeddings"] = 2048, ["rms_norm_eps"] = 1e-5, ["tie_word_embeddings"] = false,
    }, dtype);

    /// <summary>Mistral-7B-v0.1's shapes (32 layers, d 4096, 32 query / 8 kv heads, ff 14336, vocab 32000), without the sliding window.</summary>
    public static RandomModel Mistral7B(DType dtype) => Create("mistral", new JsonObject
    {
        ["model_type"] = "mistral", ["hidden_size"] = 4096, ["intermediate_size"] = 14336, ["num_hidden_layers"] = 32, ["num_attention_heads"] = 32, ["num_key_value_heads"] = 8, ["vocab_size"] = 32000, ["max_position_embeddings"] = 32768, ["rms_norm_eps"] = 1e-5, ["rope_theta"] = 1e6, ["tie_word_embeddings"] = false,
    }, dtype);

    static RandomModel Create(string name, JsonObject configJson, DType dtype)
    {
        string folder = Directory.CreateTempSubdirectory($"hp-bench-{name}-").FullName;
        string json = configJson.ToJsonString();
        File.WriteAllText(Path.Combine(folder, "config.json"), json);
        var config = ModelConfig.Parse(json, name);
        ulong state = 0x9E3779B97F4A7C15UL;
        const float halfWidth = 0.02f * 1.7320508f;   // uniform(-a, a) has standard deviation a / sqrt(3)
        var w = new SafeTensorsWriter();
        foreach (var (tensor, shape) in TensorShapes(config))
        {
            long n = TensorView.ElementCountOf(shape);
            bool isGain = tensor.EndsWith("norm.weight") || tensor.Contains("ln_") && tensor.EndsWith(".weight");
            var values = new float[n];
            for (long i = 0; i < n; i++)
            {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17;
                values[i] = isGain ? 1f : halfWidth * ((state >> 40) * (2f / (1 << 24)) - 1f);
            }
            w.Add(tensor, dtype, shape, Encode(values, dtype));
        }
        w.Save(Path.Combine(folder, "model.safetensors"));
        return new RandomModel(folder, config);
    }

    static IEnumerable<(string, int[])> TensorShapes(ModelConfig c)
    {
        int d = c.DModel, f = c.DFF, q = c.Heads * c.DHead, kv = c.KvHeads * c.DHead;
        if (c.Family == ModelFamily.Gpt2)
        {
            yield return ("wte.weight", [c.Vocab, d]);
            yield return ("wpe.weight", [c.MaxPositions, d]);
            for (int i = 0; i < c.Layers; i++)
            {
                string h = $"h.{i}.";
                yield return (h + "ln_1.weight", [d]); yield return (h + "ln_1.bias", [d]);
                yield return (h + "attn.c_attn.weight", [d, 3 * d]); yield return (h + "attn.c_attn.bias", [3 * d]);
                yield return (h + "attn.c_proj.weight", [d, d]); yield return (h + "attn.c_proj.bias", [d]);
                yield return (h + "ln_2.weight", [d]); yield return (h + "ln_2.bias", [d]);
                yield return (h + "mlp.c_fc.weight", [d, f]); yield return (h + "mlp.c_fc.bias", [f]);
                yield return (h + "mlp.c_proj.weight", [f, d]); yield return (h + "mlp.c_proj.bias", [d]);
            }
            yield return ("ln_f.weight", [d]); yield return ("ln_f.bias", [d]);
            yield break;
        }
        yield return ("model.embed_tokens.weight", [c.Vocab, d]);
        for (int i = 0; i < c.Layers; i++)
        {
            string l = $"model.layers.{i}.";
            yield return (l + "input_layernorm.weight", [d]);
            yield return (l + "self_attn.q_proj.weight", [q, d]); yield return (l + "self_attn.k_proj.weight", [kv, d]);
            yield return (l + "self_attn.v_proj.weight", [kv, d]); yield return (l + "self_attn.o_proj.weight", [d, q]);
            yield return (l + "post_attention_layernorm.weight", [d]);
            yield return (l + "mlp.gate_proj.weight", [f, d]); yield return (l + "mlp.up_proj.weight", [f, d]);
            yield return (l + "mlp.down_proj.weight", [d, f]);
        }
        yield return ("model.norm.weight", [d]);
        yield return ("lm_head.weight", [c.Vocab, d]);
    }

    static byte[] Encode(float[] v, DType dtype) => dtype switch
    {
        DType.F32 => System.Runtime.InteropServices.MemoryMarshal.AsBytes(v.AsSpan()).ToArray(),
        DType.BF16 => System.Runtime.InteropServices.MemoryMarshal.AsBytes(Array.ConvertAll(v, HalfFloat.SingleToBF16).AsSpan()).ToArray(),
        _ => throw new ArgumentException($"random models are written as F32 or BF16, not {dtype}"),
    };

    /// <summary>Matrix-multiply FLOPs of one token's forward (2 per multiply-add), without attention scores and without the unembedding.</summary>
    public static double BlockFlopsPerToken(ModelConfig c)
    {
        long q = c.Heads * c.DHead, kv = c.KvHeads * c.DHead;
        long mlp = c.Family == ModelFamily.Gpt2 ? 2L * c.DModel * c.DFF : 3L * c.DModel * c.DFF;
        return 2.0 * c.Layers * (c.DModel * (q + 2 * kv) + q * c.DModel + mlp);
    }

    /// <summary>Attention FLOPs (QK^T and PV) of a causal sequence of T tokens, summed over its positions.</summary>
    public static double AttentionFlops(ModelConfig c, int T) => 2.0 * 2 * c.Layers * c.Heads * c.DHead * (T * (T + 1) / 2.0);

    public static double UnembedFlopsPerRow(ModelConfig c) => 2.0 * c.DModel * c.Vocab;

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

using System.Text.Json.Nodes;
using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.SafeTensors;
using HeadPursuit.Runtime.Tensors;

namespace HeadPursuit.Bench;

/// <summary>
/// A model folder with real shapes and random weights (uniform with standard deviation 0.02, GPT-2's init scale; norm
/// gains 1), written to a temporary folder as config.json + model.safetensors so the benchmark loads it exactly like a
/// downloaded checkpoint. Which tensors a family's checkpoint holds is asked of the family itself: its loader runs once
/// against <see cref="RandomTensors"/>, which makes each tensor it requests. Filling is a fast xorshift, since 7B values
/// must be made in seconds on the GPU machine.
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

    /// <summary>
    /// Mistral-7B-v0.1's shapes (32 layers, d 4096, 32 query / 8 kv heads, ff 14336, vocab 32000), without the sliding
    /// window; <paramref name="layers"/> fewer than 32 keeps a layer's cost measurable on a small machine.
    /// </summary>
    public static RandomModel Mistral7B(DType dtype, int layers = 32) => Create("mistral", new JsonObject
    {
        ["model_type"] = "mistral", ["hidden_size"] = 4096, ["intermediate_size"] = 14336, ["num_hidden_layers"] = layers, ["num_attention_heads"] = 32, ["num_key_value_heads"] = 8, ["vocab_size"] = 32000, ["max_position_embeddings"] = 32768, ["rms_norm_eps"] = 1e-5, ["rope_theta"] = 1e6, ["tie_word_embeddings"] = false, ["sliding_window"] = null,
    }, dtype);

    /// <summary>Qwen3-0.6B's shapes: 28 layers, d 1024, 16 query / 8 kv heads of 128, QK-norm, ff 3072, vocab 151936, tied.</summary>
    public static RandomModel Qwen3Small(DType dtype) => Create("qwen3", new JsonObject
    {
        ["model_type"] = "qwen3", ["hidden_size"] = 1024, ["intermediate_size"] = 3072, ["num_hidden_layers"] = 28, ["num_attention_heads"] = 16, ["num_key_value_heads"] = 8, ["head_dim"] = 128, ["vocab_size"] = 151936, ["max_position_embeddings"] = 40960, ["rope_theta"] = 1e6, ["tie_word_embeddings"] = true,
    }, dtype);

    /// <summary>Gemma-3-1B's text shapes: 26 layers (5 sliding : 1 global, window 512), d 1152, 4 query / 1 kv heads of 256, ff 6912, vocab 262144, tied.</summary>
    public static RandomModel Gemma3Small(DType dtype) => Create("gemma3", new JsonObject
    {
        ["model_type"] = "gemma3_text", ["hidden_size"] = 1152, ["intermediate_size"] = 6912, ["num_hidden_layers"] = 26, ["num_attention_heads"] = 4, ["num_key_value_heads"] = 1, ["head_dim"] = 256, ["vocab_size"] = 262144, ["max_position_embeddings"] = 32768, ["query_pre_attn_scalar"] = 256, ["sliding_window"] = 512, ["rope_theta"] = 1e6, ["rope_local_base_freq"] = 10000.0,
    }, dtype);

    /// <summary>
    /// google/gemma-3-12b-it's text model shapes (d 3840, 16 query / 8 kv heads of 256, ff 15360, 5 sliding (window 1024) :
    /// 1 global) with <paramref name="layers"/> of its 48 layers and a 32000-token vocabulary instead of 262208 (the
    /// embedding lookup costs nothing per token, and a capture computes no logits).
    /// </summary>
    public static RandomModel Gemma3_12BText(DType dtype, int layers) => Create("gemma3-12b", new JsonObject
    {
        ["model_type"] = "gemma3_text", ["hidden_size"] = 3840, ["intermediate_size"] = 15360, ["num_hidden_layers"] = layers, ["num_attention_heads"] = 16, ["num_key_value_heads"] = 8, ["vocab_size"] = 32000, ["sliding_window"] = 1024, ["rope_scaling"] = new JsonObject { ["factor"] = 8.0, ["rope_type"] = "linear" },
    }, dtype);

    internal static RandomModel Create(string name, JsonObject configJson, DType dtype)
    {
        string folder = Directory.CreateTempSubdirectory($"hp-bench-{name}-").FullName;
        string json = configJson.ToJsonString();
        File.WriteAllText(Path.Combine(folder, "config.json"), json);
        var config = ModelConfig.Parse(json, name);
        var tensors = new RandomTensors(dtype);
        config.Family.Load(config, tensors, new ParameterTensors(new CpuBackend()));   // asks for every tensor once
        tensors.Save(Path.Combine(folder, "model.safetensors"));
        return new RandomModel(folder, config);
    }

    /// <summary>Makes each tensor a loader asks for, with its name and shape; 1-D norm weights become gains of 1.</summary>
    sealed class RandomTensors(DType dtype) : CheckpointTensors
    {
        readonly SafeTensorsWriter _writer = new();
        readonly Dictionary<string, TensorView> _made = [];
        ulong _state = 0x9E3779B97F4A7C15UL;

        public override bool Contains(string name) => _made.ContainsKey(name);

        public override unsafe TensorView Get(string name, params int[] shape)
        {
            if (_made.TryGetValue(name, out var made)) return made.ExpectShape(shape);
            const float halfWidth = 0.02f * 1.7320508f;   // uniform(-a, a) has standard deviation a / sqrt(3)
            bool gain = shape.Length == 1 && name.Contains("norm") || name.Contains("ln_") && name.EndsWith(".weight");
            var values = new float[TensorView.ElementCountOf(shape)];
            for (long i = 0; i < values.Length; i++)
            {
                _state ^= _state << 13; _state ^= _state >> 7; _state ^= _state << 17;
                values[i] = gain ? 1f : halfWidth * ((_state >> 40) * (2f / (1 << 24)) - 1f);
            }
            var t = dtype;
            var bytes = GC.AllocateArray<byte>(values.Length * DTypes.SizeOf(t), pinned: true);
            Encode(values, t).CopyTo(bytes, 0);
            _writer.Add(name, t, shape, bytes);
            fixed (byte* p = bytes) return _made[name] = new TensorView(name, t, shape, p, "random", bytes);
        }

        public void Save(string path) => _writer.Save(path);
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
        long mlp = (c.GatedMlp ? 3L : 2L) * c.DModel * c.DFF;
        return 2.0 * c.Layers * (c.DModel * (q + 2 * kv) + q * c.DModel + mlp);
    }

    /// <summary>Attention FLOPs (QK^T and PV) of a causal sequence of T tokens, summed over its positions (windows not counted).</summary>
    public static double AttentionFlops(ModelConfig c, int T) => 2.0 * 2 * c.Layers * c.Heads * c.DHead * (T * (T + 1) / 2.0);

    public static double UnembedFlopsPerRow(ModelConfig c) => 2.0 * c.DModel * c.Vocab;

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

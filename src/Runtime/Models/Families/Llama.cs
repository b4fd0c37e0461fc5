using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Cpu;

namespace HeadPursuit.Runtime.Models.Families;

/// <summary>
/// Llama 2 / 3 / 3.1+, Mistral and Qwen2 (HF LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM):
///   x = embed_tokens[ids]
///   per layer: x += o_proj(attention(RoPE(q_proj, k_proj), v_proj of input_layernorm(x)))
///              x += down_proj(act(gate_proj(h)) * up_proj(h)),  h = post_attention_layernorm(x)
///   logits = norm(x) lm_head^T   (lm_head = embed_tokens when tied)
/// RMSNorm; grouped-query attention; RoPE with the config's rope_theta and rope_scaling (default, linear, llama3);
/// Mistral slides a window over every layer, Qwen2 over the layers its layer_types (or use_sliding_window and
/// max_window_layers) name. Biases: Qwen2 on q/k/v, Llama on q/k/v/o with attention_bias and on the MLP with mlp_bias.
/// q/k/v (and gate/up) are stacked once at load so each runs as one matrix multiply.
/// </summary>
internal class LlamaFamily : ModelFamily
{
    public override string Name => "llama";
    public override IReadOnlyList<string> ModelTypes { get; } = ["llama", "mistral", "qwen2"];

    public sealed record Config : ModelConfig
    {
        public required Activation Activation { get; init; }
        /// <summary>q/k/v projections carry a bias (Qwen2 always; Llama with attention_bias).</summary>
        public required bool QkvBias { get; init; }
        /// <summary>The attention output projection carries a bias (Llama with attention_bias).</summary>
        public required bool OutputBias { get; init; }
        public required bool MlpBias { get; init; }
    }

    /// <summary>The Hugging Face config class defaults of one model_type (they fill absent keys).</summary>
    protected sealed record Defaults(int Vocab, int Hidden, int Intermediate, int KvHeads, int MaxPositions, int? HeadDim = null,
                                     int? Bos = null, int? Eos = null);

    /// <summary>LlamaConfig, MistralConfig, Qwen2Config (32 layers and 32 heads for all; kv heads 0 = as many as heads).</summary>
    protected virtual Defaults DefaultsOf(string modelType) => modelType switch
    {
        "llama" => new(32000, 4096, 11008, 0, 2048, Bos: 1, Eos: 2),
        "mistral" => new(32000, 4096, 14336, 8, 131072, Bos: 1, Eos: 2),
        _ => new(151936, 4096, 22016, 32, 32768),
    };

    public override ModelConfig ReadConfig(ConfigReader r, string modelType)
    {
        var d = DefaultsOf(modelType);
        int hidden = r.Int("hidden_size") ?? d.Hidden, heads = r.Int("num_attention_heads") ?? 32, layers = r.Int("num_hidden_layers") ?? 32;
        int kvHeads = r.Int("num_key_value_heads") ?? (d.KvHeads > 0 ? d.KvHeads : heads);
        int headDim = r.Int("head_dim") ?? d.HeadDim ?? hidden / heads;
        var rope = RopeSettings.Read(r, 10000);
        int? window = r.IsNull("sliding_window") ? null : r.Int("sliding_window") ?? 4096;   // 4096: Mistral's and Qwen2's default
        bool[] sliding = modelType switch
        {
            "llama" => new bool[layers],
            "mistral" => Enumerable.Repeat(window != null, layers).ToArray(),
            _ => LayerTypes.Read(r, layers, i => window != null && r.Bool("use_sliding_window") == true && i >= (r.Int("max_window_layers") ?? 28)),
        };
        bool attentionBias = r.Bool("attention_bias") ?? false;
        return new Config
        {
            ModelType = modelType, Family = this,
            Layers = layers, Heads = heads, KvHeads = kvHeads, DModel = hidden, DHead = headDim,
            DFF = r.Int("intermediate_size") ?? d.Intermediate, GatedMlp = true,
            Vocab = r.Int("vocab_size") ?? d.Vocab, MaxPositions = r.Int("max_position_embeddings") ?? d.MaxPositions,
            NormEps = r.NormEpsilon("rms_norm_eps", 1e-6),
            LayerAttention = sliding.Select(s => new LayerAttention(s ? window : null, rope, headDim)).ToArray(),
            Activation = r.Activation("hidden_act", "silu", "silu", "gelu", "gelu_new", "gelu_pytorch_tanh"),
            QkvBias = modelType == "qwen2" || attentionBias, OutputBias = modelType != "qwen2" && attentionBias,
            MlpBias = r.Bool("mlp_bias") ?? false,
            TieEmbeddings = r.Bool("tie_word_embeddings") ?? false,
            BosId = r.Has("bos_token_id") ? r.Int("bos_token_id") : d.Bos, EosIds = r.Has("eos_token_id") ? r.IntOrList("eos_token_id") : d.Eos is int e ? [e] : [],
        };
    }

    public override FamilyModel Load(ModelConfig config, CheckpointTensors t, ParameterTensors b)
    {
        var c = (Config)config;
        var layers = new Layer[c.Layers];
        var outputs = new OutputProjection[c.Layers];
        for (int i = 0; i < c.Layers; i++) layers[i] = LoadLayer(c, t, b, i, out outputs[i]);
        var (embed, finalNorm, unembedding) = LoadEnds(c, t, b);
        return new Model(c, embed, layers, finalNorm, unembedding, b, outputs);
    }

    /// <summary>The token table, the final norm and the unembedding (lm_head, or embed_tokens when tied).</summary>
    protected static (DeviceTensor Embed, Norm FinalNorm, WeightMatrix Unembedding) LoadEnds(Config c, CheckpointTensors t, ParameterTensors b)
    {
        var embed = t.Get("model.embed_tokens.weight", c.Vocab, c.DModel);
        var head = c.TieEmbeddings ? embed : t.Get("lm_head.weight", c.Vocab, c.DModel);
        return (b.Table(embed), new Norm(b, t.Vector("model.norm.weight", c.DModel), null, c.NormEps), new WeightMatrix(head, WeightLayout.OutIn));
    }

    /// <summary>One decoder layer's tensors ("model.layers.{i}."): the Llama layout, which Qwen3 shares.</summary>
    protected static Layer LoadLayer(Config c, CheckpointTensors t, ParameterTensors b, int i, out OutputProjection output)
    {
        int d = c.DModel, f = c.DFF, q = c.Heads * c.DHead, kv = c.KvHeads * c.DHead;
        string l = $"model.layers.{i}.", a = l + "self_attn.", m = l + "mlp.";
        DeviceTensor? V(string name, int n) => b.Vector(t.Vector(name, n));
        var o = t.Linear(a + "o_proj.weight", d, q);
        output = new OutputProjection(o, c.OutputBias ? t.Vector(a + "o_proj.bias", d) : null);
        return new Layer(
            new Norm(b, t.Vector(l + "input_layernorm.weight", d), null, c.NormEps),
            b.Matrix(t.StackedLinear($"{a}qkv_proj(stacked)", d, (a + "q_proj.weight", q), (a + "k_proj.weight", kv), (a + "v_proj.weight", kv))),
            c.QkvBias ? b.Vector([.. t.Vector(a + "q_proj.bias", q), .. t.Vector(a + "k_proj.bias", kv), .. t.Vector(a + "v_proj.bias", kv)]) : null,
            b.Matrix(o), output.Bias == null ? null : b.Vector(output.Bias),
            new Norm(b, t.Vector(l + "post_attention_layernorm.weight", d), null, c.NormEps),
            b.Matrix(t.StackedLinear($"{m}gate_up_proj(stacked)", d, (m + "gate_proj.weight", f), (m + "up_proj.weight", f))),
            c.MlpBias ? b.Vector([.. t.Vector(m + "gate_proj.bias", f), .. t.Vector(m + "up_proj.bias", f)]) : null,
            b.Matrix(t.Linear(m + "down_proj.weight", d, f)), c.MlpBias ? V(m + "down_proj.bias", d) : null);
    }

    protected sealed record Layer(Norm InputNorm, DeviceTensor Qkv, DeviceTensor? QkvBias, DeviceTensor O, DeviceTensor? OBias,
                                  Norm PostNorm, DeviceTensor GateUp, DeviceTensor? GateUpBias, DeviceTensor Down, DeviceTensor? DownBias);

    sealed class Model(Config c, DeviceTensor embed, Layer[] layers, Norm finalNorm, WeightMatrix unembedding, ParameterTensors b,
                       OutputProjection[] outputs) : FamilyModel(c, embed, finalNorm, unembedding, b, outputs)
    {
        public override void Block(ForwardPass f, int l)
        {
            var L = layers[l];
            f.Norm(L.InputNorm, f.X, f.H);
            f.MatMul(f.H, L.Qkv, L.QkvBias, f.Qkv);
            f.Attention(l);
            f.OutputProjection(l, L.O, L.OBias);
            f.Add(f.X, f.Attn);

            f.Norm(L.PostNorm, f.X, f.H);
            f.MatMul(f.H, L.GateUp, L.GateUpBias, f.Up);
            f.ActivateGated(f.Up, c.Activation, f.Act);
            f.MatMul(f.Act, L.Down, L.DownBias, f.Mlp);
            f.Add(f.X, f.Mlp);
        }
    }
}

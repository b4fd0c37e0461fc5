using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Cpu;
using HeadPursuit.Runtime.Tensors;

namespace HeadPursuit.Runtime.Models.Families;

/// <summary>
/// Gemma 2 and Gemma 3's text model (HF Gemma2ForCausalLM, Gemma3ForCausalLM; model_type "gemma2", "gemma3_text"):
///   x = embed_tokens[ids] * sqrt(hidden_size)          (the scale rounded to the embedding dtype, as HF does)
///   per layer: q, k, v = q_proj, k_proj, v_proj of input_layernorm(x)
///              Gemma 3: q = q_norm(q), k = k_norm(k) per head, before RoPE
///              a = o_proj(attention)   scores * query_pre_attn_scalar^-0.5, Gemma 2: soft-capped at attn_logit_softcapping
///              x += post_attention_layernorm(a)
///              x += post_feedforward_layernorm(down_proj(act(gate_proj(h)) * up_proj(h))),  h = pre_feedforward_layernorm(x)
///              (act = hidden_activation, gelu_pytorch_tanh in every released model)
///   logits = norm(x) embed_tokens^T, Gemma 2: soft-capped at final_logit_softcapping
/// Every RMSNorm multiplies by (1 + w). Sliding-window and global layers alternate (Gemma 2: even layers slide; Gemma 3:
/// every sliding_window_pattern-th layer is global; a layer_types list takes precedence). Gemma 3's sliding layers use
/// rope_local_base_freq, its global layers rope_theta with rope_scaling.
/// Because post_attention_layernorm normalises the sum of the heads, a head's W_O^(h) z is its share of o_proj's output
/// before that norm, not what reaches the residual stream (<see cref="HeadOutputConvention"/>).
/// </summary>
internal sealed class GemmaFamily : ModelFamily
{
    public override string Name => "gemma";
    public override IReadOnlyList<string> ModelTypes { get; } = ["gemma2", "gemma3_text"];

    public override string HeadOutputConvention =>
        "head_out = W_O^(h) z is the head's share of o_proj's output before post_attention_layernorm, which normalises the sum " +
        "of all heads: a head's effect on the residual stream passes through that norm";

    public sealed record Config : ModelConfig
    {
        public required Activation Activation { get; init; }
        public required bool QkNorm { get; init; }
        public required bool AttentionBias { get; init; }
    }

    /// <summary>HF Gemma2Config / Gemma3TextConfig defaults fill absent keys.</summary>
    public override ModelConfig ReadConfig(ConfigReader r, string modelType)
    {
        bool gemma3 = modelType == "gemma3_text";
        if (r.Bool("use_bidirectional_attention") == true) throw r.Unsupported("use_bidirectional_attention", "false (causal language models)");
        int layers = r.Int("num_hidden_layers") ?? 26, heads = r.Int("num_attention_heads") ?? 8;
        int headDim = r.Int("head_dim") ?? 256;
        int? window = r.IsNull("sliding_window") ? null : r.Int("sliding_window") ?? 4096;
        int pattern = r.Int("sliding_window_pattern") ?? 6;
        if (pattern <= 0) throw r.Unsupported("sliding_window_pattern", "a positive integer");
        var sliding = LayerTypes.Read(r, layers, i => gemma3 ? (i + 1) % pattern != 0 : i % 2 == 0);
        RopeSettings global, local;
        if (gemma3)
        {
            global = RopeSettings.ReadForLayerType(r, LayerTypes.Full, 1e6) ?? RopeSettings.Read(r, 1e6);
            local = RopeSettings.ReadForLayerType(r, LayerTypes.Sliding, 10000) ?? new RopeSettings(r.Double("rope_local_base_freq") ?? 10000);
        }
        else global = local = RopeSettings.Read(r, 10000);
        float? Cap(string key, double? fallback) => r.IsNull(key) ? null : (float?)(r.Double(key) ?? fallback);
        return new Config
        {
            ModelType = modelType, Family = this,
            Layers = layers, Heads = heads, KvHeads = r.Int("num_key_value_heads") ?? 4, DModel = r.Int("hidden_size") ?? 2304, DHead = headDim,
            DFF = r.Int("intermediate_size") ?? 9216, GatedMlp = true,
            Vocab = r.Int("vocab_size") ?? (gemma3 ? 262208 : 256000), MaxPositions = r.Int("max_position_embeddings") ?? (gemma3 ? 131072 : 8192),
            NormEps = r.NormEpsilon("rms_norm_eps", 1e-6),
            LayerAttention = sliding.Select(s => new LayerAttention(s ? window : null, s ? local : global, headDim)).ToArray(),
            AttentionScale = (float)(1 / Math.Sqrt(r.Double("query_pre_attn_scalar") ?? 256)),
            AttentionSoftCap = Cap("attn_logit_softcapping", gemma3 ? null : 50.0),
            FinalSoftCap = Cap("final_logit_softcapping", gemma3 ? null : 30.0),
            Activation = r.Activation("hidden_activation", "gelu_pytorch_tanh", "gelu_pytorch_tanh", "gelu_new", "gelu"),
            QkNorm = gemma3,
            AttentionBias = r.Bool("attention_bias") ?? false,
            TieEmbeddings = r.Bool("tie_word_embeddings") ?? true,
            BosId = r.Has("bos_token_id") ? r.Int("bos_token_id") : 2, EosIds = r.Has("eos_token_id") ? r.IntOrList("eos_token_id") : [1],
        };
    }

    public override FamilyModel Load(ModelConfig config, CheckpointTensors t, ParameterTensors b)
    {
        var c = (Config)config;
        int d = c.DModel, f = c.DFF, q = c.Heads * c.DHead, kv = c.KvHeads * c.DHead;
        Norm Norm1p(string name, int n) => new(b, Norm.OnePlus(t.Vector(name, n)), null, c.NormEps);
        DeviceTensor? Bias(params (string Name, int N)[] parts) =>
            c.AttentionBias ? b.Vector(parts.SelectMany(p => t.Vector(p.Name, p.N)).ToArray()) : null;
        var layers = new Layer[c.Layers];
        var outputs = new OutputProjection[c.Layers];
        for (int i = 0; i < c.Layers; i++)
        {
            string l = $"model.layers.{i}.", a = l + "self_attn.", m = l + "mlp.";
            var o = t.Linear(a + "o_proj.weight", d, q);
            outputs[i] = new OutputProjection(o, c.AttentionBias ? t.Vector(a + "o_proj.bias", d) : null);
            layers[i] = new Layer(
                Norm1p(l + "input_layernorm.weight", d),
                b.Matrix(t.StackedLinear($"{a}qkv_proj(stacked)", d, (a + "q_proj.weight", q), (a + "k_proj.weight", kv), (a + "v_proj.weight", kv))),
                Bias((a + "q_proj.bias", q), (a + "k_proj.bias", kv), (a + "v_proj.bias", kv)),
                c.QkNorm ? Norm1p(a + "q_norm.weight", c.DHead) : null, c.QkNorm ? Norm1p(a + "k_norm.weight", c.DHead) : null,
                b.Matrix(o), Bias((a + "o_proj.bias", d)),
                Norm1p(l + "post_attention_layernorm.weight", d), Norm1p(l + "pre_feedforward_layernorm.weight", d),
                b.Matrix(t.StackedLinear($"{m}gate_up_proj(stacked)", d, (m + "gate_proj.weight", f), (m + "up_proj.weight", f))),
                b.Matrix(t.Linear(m + "down_proj.weight", d, f)), Norm1p(l + "post_feedforward_layernorm.weight", d));
        }
        var embed = t.Get("model.embed_tokens.weight", c.Vocab, d);
        var head = c.TieEmbeddings ? embed : t.Get("lm_head.weight", c.Vocab, d);
        return new Model(c, b.Table(embed), EmbedScale(d, embed.DType), layers, Norm1p("model.norm.weight", d), new WeightMatrix(head, WeightLayout.OutIn), b, outputs);
    }

    /// <summary>sqrt(hidden_size) rounded to the embedding weights' dtype (HF casts the scale to it: 34.0 for a bf16 sqrt(1152)).</summary>
    public static float EmbedScale(int hidden, DType dtype)
    {
        float s = MathF.Sqrt(hidden);
        return dtype switch
        {
            DType.BF16 => HalfFloat.BF16ToSingle(HalfFloat.SingleToBF16(s)),
            DType.F16 => HalfFloat.F16ToSingle(HalfFloat.SingleToF16(s)),
            _ => s,
        };
    }

    sealed record Layer(Norm InputNorm, DeviceTensor Qkv, DeviceTensor? QkvBias, Norm? QNorm, Norm? KNorm, DeviceTensor O, DeviceTensor? OBias,
                        Norm PostAttentionNorm, Norm PreFeedForwardNorm, DeviceTensor GateUp, DeviceTensor Down, Norm PostFeedForwardNorm);

    sealed class Model(Config c, DeviceTensor embed, float embedScale, Layer[] layers, Norm finalNorm, WeightMatrix unembedding, ParameterTensors b,
                       OutputProjection[] outputs) : FamilyModel(c, embed, finalNorm, unembedding, b, outputs)
    {
        public override void Embed(ForwardPass f)
        {
            base.Embed(f);
            f.Scale(f.X, embedScale);
        }

        public override void Block(ForwardPass f, int l)
        {
            var L = layers[l];
            f.Norm(L.InputNorm, f.X, f.H);
            f.MatMul(f.H, L.Qkv, L.QkvBias, f.Qkv);
            if (L.QNorm != null) f.NormHeads(l, L.QNorm, L.KNorm!);
            f.Attention(l);
            f.OutputProjection(l, L.O, L.OBias);
            f.Norm(L.PostAttentionNorm, f.Attn, f.H);
            f.Add(f.X, f.H);

            f.Norm(L.PreFeedForwardNorm, f.X, f.H);
            f.MatMul(f.H, L.GateUp, null, f.Up);
            f.ActivateGated(f.Up, c.Activation, f.Act);
            f.MatMul(f.Act, L.Down, null, f.Mlp);
            f.Norm(L.PostFeedForwardNorm, f.Mlp, f.H);
            f.Add(f.X, f.H);
        }
    }
}

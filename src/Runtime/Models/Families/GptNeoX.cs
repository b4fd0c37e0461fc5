using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Cpu;

namespace HeadPursuit.Runtime.Models.Families;

/// <summary>
/// GPT-NeoX and Pythia (HF GPTNeoXForCausalLM, model_type "gpt_neox"):
///   x = embed_in[ids]
///   per layer: a = dense(attention(query_key_value(input_layernorm(x))))   RoPE on the first rotary_ndims of each head
///              parallel residual (Pythia):  x = x + a + mlp(post_attention_layernorm(x))      (both norms read the same x)
///              otherwise:                   x = x + a;  x = x + mlp(post_attention_layernorm(x))
///              mlp(h) = dense_4h_to_h(act(dense_h_to_4h(h)))
///   logits = final_layer_norm(x) embed_out^T
/// LayerNorms with biases. The fused query_key_value rows are interleaved per head ([q_0 k_0 v_0 q_1 ...], d_head each);
/// they are reordered once at load into [all q | all k | all v], the layout every backend's attention reads.
/// rotary_ndims = int(d_head * rotary_pct), with inv_freq over rotary_ndims (transformers >= 5: rope_parameters'
/// partial_rotary_factor and rope_theta). Old checkpoints' attention.bias / masked_bias / rotary_emb.inv_freq buffers are ignored.
/// </summary>
internal sealed class GptNeoXFamily : ModelFamily
{
    public override string Name => "gpt_neox";
    public override IReadOnlyList<string> ModelTypes { get; } = ["gpt_neox"];

    public sealed record Config : ModelConfig
    {
        public required Activation Activation { get; init; }
        public required bool ParallelResidual { get; init; }
        /// <summary>query_key_value and dense carry biases (attention_bias, true in every Pythia).</summary>
        public required bool AttentionBias { get; init; }
    }

    /// <summary>HF GPTNeoXConfig's defaults fill absent keys.</summary>
    public override ModelConfig ReadConfig(ConfigReader r, string modelType)
    {
        int hidden = r.Int("hidden_size") ?? 6144, heads = r.Int("num_attention_heads") ?? 64, layers = r.Int("num_hidden_layers") ?? 44;
        if (hidden % heads != 0) throw new ModelFormatException($"{r.Source}: hidden_size {hidden} is not a multiple of num_attention_heads {heads}");
        int dHead = hidden / heads;
        var parameters = r.Object("rope_parameters");
        double pct = parameters?.Double("partial_rotary_factor") ?? r.Double("rotary_pct") ?? 0.25;
        var rope = RopeSettings.Read(r, 10000, thetaKey: "rotary_emb_base");
        int rotary = (int)(dHead * pct);
        return new Config
        {
            ModelType = modelType, Family = this,
            Layers = layers, Heads = heads, KvHeads = heads, DModel = hidden, DHead = dHead,
            DFF = r.Int("intermediate_size") ?? 24576, GatedMlp = false,
            Vocab = r.Int("vocab_size") ?? 50432, MaxPositions = r.Int("max_position_embeddings") ?? 2048,
            NormEps = r.NormEpsilon("layer_norm_eps", 1e-5),
            LayerAttention = LayerAttention.Same(layers, new LayerAttention(null, rope, rotary)),
            Activation = r.Activation("hidden_act", "gelu", "gelu", "gelu_new", "gelu_pytorch_tanh"),
            ParallelResidual = r.Bool("use_parallel_residual") ?? true,
            AttentionBias = r.Bool("attention_bias") ?? true,
            TieEmbeddings = r.Bool("tie_word_embeddings") ?? false,
            BosId = r.Has("bos_token_id") ? r.Int("bos_token_id") : 0, EosIds = r.Has("eos_token_id") ? r.IntOrList("eos_token_id") : [2],
        };
    }

    public override FamilyModel Load(ModelConfig config, CheckpointTensors t, ParameterTensors b)
    {
        var c = (Config)config;
        int d = c.DModel, f = c.DFF, dh = c.DHead;
        var layers = new Layer[c.Layers];
        var outputs = new OutputProjection[c.Layers];
        for (int i = 0; i < c.Layers; i++)
        {
            string l = $"gpt_neox.layers.{i}.";
            var fused = t.Get(l + "attention.query_key_value.weight", 3 * d, d);
            // Row order [q_0 k_0 v_0 q_1 ...] -> [q_0 q_1 ... | k_0 ... | v_0 ...]: part p of head h starts at row (3h + p) d_head.
            var blocks = Enumerable.Range(0, 3).SelectMany(part => Enumerable.Range(0, c.Heads).Select(h => (fused, (3 * h + part) * dh, dh))).ToArray();
            var qkv = new WeightMatrix(CheckpointTensors.CopyRows(fused.Name + "(q|k|v)", blocks), WeightLayout.OutIn);
            float[]? qkvBias = null;
            if (c.AttentionBias)
            {
                var fusedBias = t.Vector(l + "attention.query_key_value.bias", 3 * d);
                qkvBias = blocks.SelectMany(x => fusedBias.AsSpan(x.Item2, dh).ToArray()).ToArray();
            }
            var o = t.Linear(l + "attention.dense.weight", d, d);
            outputs[i] = new OutputProjection(o, c.AttentionBias ? t.Vector(l + "attention.dense.bias", d) : null);
            layers[i] = new Layer(
                new Norm(b, t.Vector(l + "input_layernorm.weight", d), t.Vector(l + "input_layernorm.bias", d), c.NormEps),
                b.Matrix(qkv), qkvBias == null ? null : b.Vector(qkvBias), b.Matrix(o), outputs[i].Bias == null ? null : b.Vector(outputs[i].Bias!),
                new Norm(b, t.Vector(l + "post_attention_layernorm.weight", d), t.Vector(l + "post_attention_layernorm.bias", d), c.NormEps),
                b.Matrix(t.Linear(l + "mlp.dense_h_to_4h.weight", f, d)), b.Vector(t.Vector(l + "mlp.dense_h_to_4h.bias", f)),
                b.Matrix(t.Linear(l + "mlp.dense_4h_to_h.weight", d, f)), b.Vector(t.Vector(l + "mlp.dense_4h_to_h.bias", d)));
        }
        var embed = t.Get("gpt_neox.embed_in.weight", c.Vocab, d);
        var head = c.TieEmbeddings ? embed : t.Get("embed_out.weight", c.Vocab, d);
        var finalNorm = new Norm(b, t.Vector("gpt_neox.final_layer_norm.weight", d), t.Vector("gpt_neox.final_layer_norm.bias", d), c.NormEps);
        return new Model(c, b.Table(embed), layers, finalNorm, new WeightMatrix(head, WeightLayout.OutIn), b, outputs);
    }

    sealed record Layer(Norm InputNorm, DeviceTensor Qkv, DeviceTensor? QkvBias, DeviceTensor Dense, DeviceTensor? DenseBias,
                        Norm PostNorm, DeviceTensor Up, DeviceTensor UpBias, DeviceTensor Down, DeviceTensor DownBias);

    sealed class Model(Config c, DeviceTensor embed, Layer[] layers, Norm finalNorm, WeightMatrix unembedding, ParameterTensors b,
                       OutputProjection[] outputs) : FamilyModel(c, embed, finalNorm, unembedding, b, outputs)
    {
        public override void Block(ForwardPass f, int l)
        {
            var L = layers[l];
            f.Norm(L.InputNorm, f.X, f.H);
            f.MatMul(f.H, L.Qkv, L.QkvBias, f.Qkv);
            f.Attention(l);
            f.OutputProjection(l, L.Dense, L.DenseBias);
            if (!c.ParallelResidual) f.Add(f.X, f.Attn);

            f.Norm(L.PostNorm, f.X, f.H);
            f.MatMul(f.H, L.Up, L.UpBias, f.Up);
            f.Activate(f.Up, c.Activation);
            f.MatMul(f.Up, L.Down, L.DownBias, f.Mlp);
            if (c.ParallelResidual) f.Add(f.X, f.Attn);
            f.Add(f.X, f.Mlp);
        }
    }
}

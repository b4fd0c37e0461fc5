using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Cpu;

namespace HeadPursuit.Runtime.Models.Families;

/// <summary>
/// GPT-2 (HF GPT2LMHeadModel, model_type "gpt2"):
///   x = wte[ids] + wpe[pos]
///   per block: x += c_proj(attention(c_attn(ln_1(x))));  x += mlp.c_proj(act(c_fc(ln_2(x))))
///   logits = ln_f(x) wte^T   (tied unless the config unties it and the file has lm_head.weight)
/// LayerNorms with biases; Conv1D weights stored [in, out], copied transposed at load (<see cref="CheckpointTensors.Conv1DAsLinear"/>);
/// c_attn's output is q | k | v, each H heads of d_head.
/// Hub checkpoints store the names without the "transformer." prefix: both spellings load; the attn.bias /
/// attn.masked_bias mask buffers are ignored.
/// </summary>
internal sealed class Gpt2Family : ModelFamily
{
    public override string Name => "gpt2";
    public override IReadOnlyList<string> ModelTypes { get; } = ["gpt2"];

    public sealed record Config : ModelConfig
    {
        public required Activation Activation { get; init; }
    }

    /// <summary>HF GPT2Config's defaults fill absent keys (n_embd 768, n_layer 12, n_head 12, n_positions 1024, vocab 50257).</summary>
    public override ModelConfig ReadConfig(ConfigReader r, string modelType)
    {
        if (r.Bool("scale_attn_by_inverse_layer_idx") == true) throw r.Unsupported("scale_attn_by_inverse_layer_idx", "false");
        if (r.Bool("scale_attn_weights") == false) throw r.Unsupported("scale_attn_weights", "true");
        if (r.Bool("reorder_and_upcast_attn") == true) throw r.Unsupported("reorder_and_upcast_attn", "false");
        int d = r.Int("n_embd") ?? 768, heads = r.Int("n_head") ?? 12, layers = r.Int("n_layer") ?? 12;
        if (d % heads != 0) throw new ModelFormatException($"{r.Source}: n_embd {d} is not a multiple of n_head {heads}");
        int positions = r.Int("n_positions") ?? r.Int("n_ctx") ?? 1024;
        return new Config
        {
            ModelType = modelType, Family = this,
            Layers = layers, Heads = heads, KvHeads = heads, DModel = d, DHead = d / heads,
            DFF = r.Int("n_inner") ?? 4 * d, GatedMlp = false,
            Vocab = r.Int("vocab_size") ?? 50257, MaxPositions = positions, LearnedPositions = true,
            NormEps = r.NormEpsilon("layer_norm_epsilon", 1e-5),
            LayerAttention = LayerAttention.Same(layers, new LayerAttention(null, null, 0)),
            Activation = r.Activation("activation_function", "gelu_new", "gelu_new", "gelu_pytorch_tanh", "gelu"),
            TieEmbeddings = r.Bool("tie_word_embeddings") ?? true,
            BosId = r.Int("bos_token_id") ?? 50256, EosIds = r.Has("eos_token_id") ? r.IntOrList("eos_token_id") : [50256],
        };
    }

    public override FamilyModel Load(ModelConfig config, CheckpointTensors t, ParameterTensors b)
    {
        var c = (Config)config;
        string p = t.Contains("transformer.wte.weight") ? "transformer." : "";
        int d = c.DModel, f = c.DFF;
        var layers = new Layer[c.Layers];
        var outputs = new OutputProjection[c.Layers];
        float[] V(string name, int n) => t.Vector(p + name, n);
        for (int i = 0; i < c.Layers; i++)
        {
            string h = $"h.{i}.";
            var o = t.Conv1DAsLinear(p + h + "attn.c_proj.weight", d, d);
            outputs[i] = new OutputProjection(o, V(h + "attn.c_proj.bias", d));
            layers[i] = new Layer(
                new Norm(b, V(h + "ln_1.weight", d), V(h + "ln_1.bias", d), c.NormEps),
                b.Matrix(t.Conv1DAsLinear(p + h + "attn.c_attn.weight", d, 3 * d)), b.Vector(V(h + "attn.c_attn.bias", 3 * d)),
                b.Matrix(o), b.Vector(outputs[i].Bias!),
                new Norm(b, V(h + "ln_2.weight", d), V(h + "ln_2.bias", d), c.NormEps),
                b.Matrix(t.Conv1DAsLinear(p + h + "mlp.c_fc.weight", d, f)), b.Vector(V(h + "mlp.c_fc.bias", f)),
                b.Matrix(t.Conv1DAsLinear(p + h + "mlp.c_proj.weight", f, d)), b.Vector(V(h + "mlp.c_proj.bias", d)));
        }
        var wte = t.Get(p + "wte.weight", c.Vocab, d);
        var unembedding = new WeightMatrix(c.TieEmbeddings || !t.Contains("lm_head.weight") ? wte : t.Get("lm_head.weight", c.Vocab, d), WeightLayout.OutIn);
        var finalNorm = new Norm(b, V("ln_f.weight", d), V("ln_f.bias", d), c.NormEps);
        return new Model(c, b.Table(wte), b.Table(t.Get(p + "wpe.weight", c.MaxPositions, d)), layers, finalNorm, unembedding, b, outputs);
    }

    sealed record Layer(Norm Ln1, DeviceTensor Qkv, DeviceTensor QkvBias, DeviceTensor O, DeviceTensor OBias,
                        Norm Ln2, DeviceTensor Fc, DeviceTensor FcBias, DeviceTensor Proj, DeviceTensor ProjBias);

    sealed class Model(Config c, DeviceTensor wte, DeviceTensor wpe, Layer[] layers, Norm finalNorm, WeightMatrix unembedding,
                       ParameterTensors b, OutputProjection[] outputs) : FamilyModel(c, wte, finalNorm, unembedding, b, outputs)
    {
        public override void Embed(ForwardPass f)
        {
            f.B.Embed(TokenTable, f.Tokens, f.X, accumulate: false);
            f.B.Embed(wpe, f.Layout.RowPosition, f.X, accumulate: true);
        }

        public override void Block(ForwardPass f, int l)
        {
            var L = layers[l];
            f.Norm(L.Ln1, f.X, f.H);
            f.MatMul(f.H, L.Qkv, L.QkvBias, f.Qkv);
            f.Attention(l);
            f.OutputProjection(l, L.O, L.OBias);
            f.Add(f.X, f.Attn);

            f.Norm(L.Ln2, f.X, f.H);
            f.MatMul(f.H, L.Fc, L.FcBias, f.Up);
            f.Activate(f.Up, c.Activation);
            f.MatMul(f.Up, L.Proj, L.ProjBias, f.Mlp);
            f.Add(f.X, f.Mlp);
        }
    }
}

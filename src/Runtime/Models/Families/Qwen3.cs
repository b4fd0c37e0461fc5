using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Cpu;

namespace HeadPursuit.Runtime.Models.Families;

/// <summary>
/// Qwen3 (HF Qwen3ForCausalLM, model_type "qwen3"): the Llama block with QK-norm and no q/k/v bias by default:
///   per layer: q, k, v = q_proj, k_proj, v_proj of input_layernorm(x); q = q_norm(q), k = k_norm(k) per head (RMSNorm
///              over d_head, one gain shared by the heads), BEFORE RoPE; x += o_proj(attention(RoPE(q), RoPE(k), v))
///              x += down_proj(silu(gate_proj(h)) * up_proj(h)),  h = post_attention_layernorm(x)
/// Config defaults are Qwen3Config's (head_dim 128); sliding windows follow layer_types as for Qwen2.
/// </summary>
internal sealed class Qwen3Family : LlamaFamily
{
    public override string Name => "qwen3";
    public override IReadOnlyList<string> ModelTypes { get; } = ["qwen3"];

    protected override Defaults DefaultsOf(string modelType) => new(151936, 4096, 22016, 32, 32768, HeadDim: 128);

    public override FamilyModel Load(ModelConfig config, CheckpointTensors t, ParameterTensors b)
    {
        var c = (Config)config;
        var layers = new (Layer Llama, Norm QNorm, Norm KNorm)[c.Layers];
        var outputs = new OutputProjection[c.Layers];
        for (int i = 0; i < c.Layers; i++)
        {
            string a = $"model.layers.{i}.self_attn.";
            layers[i] = (LoadLayer(c, t, b, i, out outputs[i]),
                         new Norm(b, t.Vector(a + "q_norm.weight", c.DHead), null, c.NormEps),
                         new Norm(b, t.Vector(a + "k_norm.weight", c.DHead), null, c.NormEps));
        }
        var (embed, finalNorm, unembedding) = LoadEnds(c, t, b);
        return new Model(c, embed, layers, finalNorm, unembedding, b, outputs);
    }

    sealed class Model(Config c, DeviceTensor embed, (Layer Llama, Norm QNorm, Norm KNorm)[] layers, Norm finalNorm,
                       WeightMatrix unembedding, ParameterTensors b, OutputProjection[] outputs) : FamilyModel(c, embed, finalNorm, unembedding, b, outputs)
    {
        public override void Block(ForwardPass f, int l)
        {
            var (L, qNorm, kNorm) = layers[l];
            f.Norm(L.InputNorm, f.X, f.H);
            f.MatMul(f.H, L.Qkv, L.QkvBias, f.Qkv);
            f.NormHeads(l, qNorm, kNorm);
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

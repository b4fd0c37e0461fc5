using HeadPursuit.Runtime.Cpu;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.SafeTensors;
using HeadPursuit.Runtime.Tensors;

namespace HeadPursuit.Runtime.Vision.Qwen25Vl;

/// <summary>One vision block's parameters (Dv = vision hidden, I = intermediate). Matrices are [out, in]; RMSNorms have no bias.</summary>
internal sealed class Qwen25VisionBlockWeights
{
    public required float[] Norm1, Norm2;            // [Dv]
    public required WeightMatrix Qkv;                // [3 Dv, Dv]: q rows, then k, then v; head h is rows h*dh .. h*dh+dh-1 of each
    public required float[] QkvBias;                 // [3 Dv]
    public required WeightMatrix Proj;               // [Dv, Dv]
    public required float[] ProjBias;                // [Dv]
    public required WeightMatrix GateUp;             // [2 I, Dv]: gate_proj rows, then up_proj rows (stacked at load)
    public required float[] GateUpBias;              // [2 I]
    public required WeightMatrix Down;               // [Dv, I]
    public required float[] DownBias;                // [Dv]
}

/// <summary>
/// The Qwen2.5-VL vision tower's parameters (names under the layout's "visual." prefix). The Conv3d patch weight
/// [Dv, 3, Tp, p, p] (no bias) is read as the matrix [Dv, 3 Tp p p]: with kernel = stride it is a matrix multiply over
/// the processor's patch rows, whose columns are in the same (channel, frame, y, x) order.
/// </summary>
internal sealed class Qwen25VisionWeights
{
    public required Qwen25VisionConfig Config { get; init; }
    public required WeightMatrix PatchEmbedding { get; init; }   // [Dv, PatchDim]
    public required Qwen25VisionBlockWeights[] Blocks { get; init; }
    public required float[] MergerNorm { get; init; }            // [Dv] ln_q
    public required WeightMatrix MergerFc1 { get; init; }        // [4 Dv, 4 Dv] mlp.0 (4 = merge unit)
    public required float[] MergerFc1Bias { get; init; }         // [4 Dv]
    public required WeightMatrix MergerFc2 { get; init; }        // [d, 4 Dv] mlp.2
    public required float[] MergerFc2Bias { get; init; }         // [d]

    public static unsafe Qwen25VisionWeights Load(WeightStore store, Qwen25VisionConfig c, string prefix)
    {
        var t = new CheckpointTensors(store, name => prefix + name);
        int d = c.Hidden, f = c.Intermediate, u = c.MergeUnit * d;
        var conv = t.Get("patch_embed.proj.weight", d, c.Channels, c.TemporalPatchSize, c.PatchSize, c.PatchSize);
        var patch = new TensorView(conv.Name + "(as [Dv, 3*Tp*p*p])", conv.DType, [d, c.PatchDim], conv.Data, conv.Source);
        var blocks = new Qwen25VisionBlockWeights[c.Depth];
        for (int i = 0; i < c.Depth; i++)
        {
            string b = $"blocks.{i}.", m = b + "mlp.";
            blocks[i] = new Qwen25VisionBlockWeights
            {
                Norm1 = t.Vector(b + "norm1.weight", d), Norm2 = t.Vector(b + "norm2.weight", d),
                Qkv = t.Linear(b + "attn.qkv.weight", 3 * d, d), QkvBias = t.Vector(b + "attn.qkv.bias", 3 * d),
                Proj = t.Linear(b + "attn.proj.weight", d, d), ProjBias = t.Vector(b + "attn.proj.bias", d),
                GateUp = t.StackedLinear(prefix + m + "gate_up_proj(stacked)", d, (m + "gate_proj.weight", f), (m + "up_proj.weight", f)),
                GateUpBias = [.. t.Vector(m + "gate_proj.bias", f), .. t.Vector(m + "up_proj.bias", f)],
                Down = t.Linear(m + "down_proj.weight", d, f), DownBias = t.Vector(m + "down_proj.bias", d),
            };
        }
        return new Qwen25VisionWeights
        {
            Config = c, PatchEmbedding = new WeightMatrix(patch, WeightLayout.OutIn), Blocks = blocks,
            MergerNorm = t.Vector("merger.ln_q.weight", d),
            MergerFc1 = t.Linear("merger.mlp.0.weight", u, u), MergerFc1Bias = t.Vector("merger.mlp.0.bias", u),
            MergerFc2 = t.Linear("merger.mlp.2.weight", c.OutHidden, u), MergerFc2Bias = t.Vector("merger.mlp.2.bias", c.OutHidden),
        };
    }
}

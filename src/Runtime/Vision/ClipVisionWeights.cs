using HeadPursuit.Runtime.Cpu;
using HeadPursuit.Runtime.SafeTensors;
using HeadPursuit.Runtime.Tensors;

namespace HeadPursuit.Runtime.Vision;

/// <summary>One CLIP encoder layer's parameters (Dv = vision hidden, I = intermediate). Matrices are [out, in].</summary>
internal sealed class ClipLayerWeights
{
    public required float[] Norm1Weight, Norm1Bias;          // [Dv]
    public required WeightMatrix Q, K, V, Out;               // [Dv, Dv]
    public required float[] QBias, KBias, VBias, OutBias;    // [Dv]
    public required float[] Norm2Weight, Norm2Bias;          // [Dv]
    public required WeightMatrix Fc1;                        // [I, Dv]
    public required float[] Fc1Bias;                         // [I]
    public required WeightMatrix Fc2;                        // [Dv, I]
    public required float[] Fc2Bias;                         // [Dv]
}

/// <summary>
/// A CLIP or SigLIP vision model's parameters. CLIP (LLaVA): class_embedding and pre_layrnorm; its post_layernorm is
/// never used and not loaded. SigLIP (Gemma 3): a bias on the patch convolution and post_layernorm, no class token, no
/// pre-norm. An old embeddings.position_ids buffer is ignored. The Conv2d patch weight [Dv, 3, p, p] is read as the
/// matrix [Dv, 3 p p]: a stride-p convolution is a matrix multiply over unfolded patches.
/// </summary>
internal sealed class ClipVisionWeights
{
    public required ClipVisionConfig Config { get; init; }
    public required WeightMatrix PatchEmbedding { get; init; }   // [Dv, 3 p p]
    public float[]? PatchBias { get; init; }                     // [Dv] SigLIP
    public float[]? ClassEmbedding { get; init; }                // [Dv] CLIP
    public required float[] PositionEmbedding { get; init; }     // [N, Dv], N = Config.Rows
    public float[]? PreNormWeight { get; init; }                 // [Dv] CLIP
    public float[]? PreNormBias { get; init; }                   // [Dv] CLIP
    public float[]? PostNormWeight { get; init; }                // [Dv] SigLIP
    public float[]? PostNormBias { get; init; }                  // [Dv] SigLIP
    public required ClipLayerWeights[] Layers { get; init; }

    public static unsafe ClipVisionWeights Load(WeightStore s, ClipVisionConfig c, string prefix)
    {
        int d = c.Hidden, f = c.Intermediate, p = c.PatchSize;
        bool clip = c.Kind == VisionTowerKind.Clip;
        TensorView T(string name, params int[] shape) => s.Get(prefix + name).ExpectShape(shape);
        float[] Vec(string name, int n) => T(name, n).ToFloatArray();
        float[]? Only(bool present, string name) => present ? Vec(name, d) : null;
        WeightMatrix M(string name, int rows, int cols) => new(T(name, rows, cols), WeightLayout.OutIn);

        var conv = T("embeddings.patch_embedding.weight", d, c.Channels, p, p);
        var patch = new TensorView(conv.Name + "(as [Dv, 3*p*p])", conv.DType, [d, c.PatchLength], conv.Data, conv.Source);
        var layers = new ClipLayerWeights[c.Layers];
        for (int i = 0; i < c.Layers; i++)
        {
            string l = $"encoder.layers.{i}.";
            layers[i] = new ClipLayerWeights
            {
                Norm1Weight = Vec(l + "layer_norm1.weight", d), Norm1Bias = Vec(l + "layer_norm1.bias", d),
                Q = M(l + "self_attn.q_proj.weight", d, d), QBias = Vec(l + "self_attn.q_proj.bias", d),
                K = M(l + "self_attn.k_proj.weight", d, d), KBias = Vec(l + "self_attn.k_proj.bias", d),
                V = M(l + "self_attn.v_proj.weight", d, d), VBias = Vec(l + "self_attn.v_proj.bias", d),
                Out = M(l + "self_attn.out_proj.weight", d, d), OutBias = Vec(l + "self_attn.out_proj.bias", d),
                Norm2Weight = Vec(l + "layer_norm2.weight", d), Norm2Bias = Vec(l + "layer_norm2.bias", d),
                Fc1 = M(l + "mlp.fc1.weight", f, d), Fc1Bias = Vec(l + "mlp.fc1.bias", f),
                Fc2 = M(l + "mlp.fc2.weight", d, f), Fc2Bias = Vec(l + "mlp.fc2.bias", d),
            };
        }
        return new ClipVisionWeights
        {
            Config = c, PatchEmbedding = new WeightMatrix(patch, WeightLayout.OutIn),
            PatchBias = Only(!clip, "embeddings.patch_embedding.bias"),
            ClassEmbedding = Only(clip, "embeddings.class_embedding"),
            PositionEmbedding = T("embeddings.position_embedding.weight", c.Rows, d).ToFloatArray(),
            PreNormWeight = Only(clip, "pre_layrnorm.weight"), PreNormBias = Only(clip, "pre_layrnorm.bias"),
            PostNormWeight = Only(!clip, "post_layernorm.weight"), PostNormBias = Only(!clip, "post_layernorm.bias"),
            Layers = layers,
        };
    }
}

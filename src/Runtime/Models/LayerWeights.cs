using HeadPursuit.Runtime.Cpu;

namespace HeadPursuit.Runtime.Models;

/// <summary>
/// One transformer block's parameters as read from the checkpoint (matrices stay in their file dtype).
/// Both families are expressed in one shape so a single forward pass serves them:
///   Qkv  [d_model -> (H + 2 KV) * d_head]  (GPT-2 c_attn as is; Llama q/k/v rows stacked once at load)
///   O    [H * d_head -> d_model]           (the output projection that reads z; W_O^(h) is its h-th input block)
///   Up   [d_model -> d_ff] (GPT-2 c_fc) or [d_model -> 2 d_ff] (Llama gate rows then up rows)
///   Down [d_ff -> d_model]
/// Norm biases are null for RMSNorm; projection biases are null when the checkpoint has none.
/// </summary>
public sealed class LayerWeights
{
    public required float[] Norm1Weight { get; init; }   // [d_model]
    public float[]? Norm1Bias { get; init; }             // [d_model] (LayerNorm only)
    public required WeightMatrix Qkv { get; init; }
    public float[]? QkvBias { get; init; }               // [(H + 2 KV) * d_head]
    public required WeightMatrix O { get; init; }
    public float[]? OBias { get; init; }                 // [d_model]
    public required float[] Norm2Weight { get; init; }   // [d_model]
    public float[]? Norm2Bias { get; init; }             // [d_model]
    public required WeightMatrix Up { get; init; }
    public float[]? UpBias { get; init; }                // [d_ff] (GPT-2) or [2 d_ff]
    public required WeightMatrix Down { get; init; }
    public float[]? DownBias { get; init; }              // [d_model]
}

namespace HeadPursuit.Runtime.Models;

/// <summary>The two block layouts we implement. GPT-2: LayerNorm, fused Conv1D qkv, learned positions, GELU MLP.
/// Llama family (llama, mistral, qwen2): RMSNorm, separate q/k/v Linear, RoPE, grouped-query attention, SiLU-gated MLP.</summary>
public enum ModelFamily { Gpt2, Llama }

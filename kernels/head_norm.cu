// QK-norm: RMSNorm of every query and key head of fused qkv rows, in place, before RoPE.
// Compile-time: D_HEAD, HEADS, KV_HEADS. qkv [rows, (HEADS + 2 KV_HEADS) D_HEAD] = [q heads | k heads | v heads];
// q_gain, k_gain [D_HEAD]. Head x (q heads then k heads, adjacent in the row): x = x / sqrt(mean(x^2) + eps) * gain.
// One block per row; warp w normalises heads w, w + warps, ...; its lanes share the head's D_HEAD values.
#if !defined(D_HEAD) || !defined(HEADS) || !defined(KV_HEADS)
#error "head_norm.cu needs -DD_HEAD, -DHEADS and -DKV_HEADS"
#endif

extern "C" __global__ void rms_norm_heads(float* qkv, const float* q_gain, const float* k_gain, float eps)
{
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, warps = blockDim.x >> 5;
    float* row = qkv + (long long)blockIdx.x * (HEADS + 2 * KV_HEADS) * D_HEAD;
    for (int h = warp; h < HEADS + KV_HEADS; h += warps)
    {
        float* x = row + h * D_HEAD;
        const float* gain = h < HEADS ? q_gain : k_gain;
        float q = 0.0f;
        for (int c = lane; c < D_HEAD; c += 32) q += x[c] * x[c];
        for (int o = 16; o > 0; o >>= 1) q += __shfl_xor_sync(0xffffffffu, q, o);
        float inv = __frsqrt_rn(q / D_HEAD + eps);
        for (int c = lane; c < D_HEAD; c += 32) x[c] = x[c] * inv * gain[c];
    }
}

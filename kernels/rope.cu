// Rotary position embedding (Hugging Face rotate-half) applied in place to the query and key heads of fused qkv rows,
// over the first 2 * half dimensions of each head (all of them unless the family rotates part, as GPT-NeoX does).
// Compile-time: D_HEAD, HEADS, KV_HEADS. qkv [rows, (HEADS + 2 KV_HEADS) D_HEAD] = [q heads | k heads | v heads];
// pos [rows * stride]: the rotary positions of each row, stride 1 (one position) or 3 (t, h, w for multimodal RoPE: the
// frequencies j < end1 rotate by t, j < end2 by h, the rest by w); cos_t, sin_t [positions, half].
// For head vector x and j < half: x'[j] = x[j] cos - x[j + half] sin, x'[j + half] = x[j + half] cos + x[j] sin.
// One block per row; each thread owns distinct (head, j) pairs.
#if !defined(D_HEAD) || !defined(HEADS) || !defined(KV_HEADS)
#error "rope.cu needs -DD_HEAD, -DHEADS and -DKV_HEADS"
#endif

extern "C" __global__ void rope_rows(float* qkv, const int* pos, int stride, int end1, int end2, const float* cos_t, const float* sin_t, int half)
{
    const int width = (HEADS + 2 * KV_HEADS) * D_HEAD;
    float* row = qkv + (long long)blockIdx.x * width;
    const int* p = pos + (long long)blockIdx.x * stride;
    for (int i = threadIdx.x; i < (HEADS + KV_HEADS) * half; i += blockDim.x)
    {
        int j = i % half;
        int at = stride == 1 ? p[0] : j < end1 ? p[0] : j < end2 ? p[1] : p[2];
        float* x = row + (i / half) * D_HEAD;   // q heads then k heads are adjacent in the row
        float a = x[j], b = x[j + half], c = cos_t[(long long)at * half + j], s = sin_t[(long long)at * half + j];
        x[j] = a * c - b * s;
        x[j + half] = b * c + a * s;
    }
}

// Rotary position embedding (Hugging Face rotate-half) applied in place to the query and key heads of fused qkv rows,
// over the first 2 * half dimensions of each head (all of them unless the family rotates part, as GPT-NeoX does).
// Compile-time: D_HEAD, HEADS, KV_HEADS. qkv [rows, (HEADS + 2 KV_HEADS) D_HEAD] = [q heads | k heads | v heads];
// row_pos [rows]: absolute position of each row; cos_t, sin_t [positions, half].
// For head vector x and j < half: x'[j] = x[j] cos - x[j + half] sin, x'[j + half] = x[j + half] cos + x[j] sin.
// One block per row; each thread owns distinct (head, j) pairs.
#if !defined(D_HEAD) || !defined(HEADS) || !defined(KV_HEADS)
#error "rope.cu needs -DD_HEAD, -DHEADS and -DKV_HEADS"
#endif

extern "C" __global__ void rope_rows(float* qkv, const int* row_pos, const float* cos_t, const float* sin_t, int half)
{
    const int width = (HEADS + 2 * KV_HEADS) * D_HEAD;
    float* row = qkv + (long long)blockIdx.x * width;
    const float* c_row = cos_t + (long long)row_pos[blockIdx.x] * half;
    const float* s_row = sin_t + (long long)row_pos[blockIdx.x] * half;
    for (int i = threadIdx.x; i < (HEADS + KV_HEADS) * half; i += blockDim.x)
    {
        int j = i % half;
        float* x = row + (i / half) * D_HEAD;   // q heads then k heads are adjacent in the row
        float a = x[j], b = x[j + half], c = c_row[j], s = s_row[j];
        x[j] = a * c - b * s;
        x[j + half] = b * c + a * s;
    }
}

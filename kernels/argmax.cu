// Greedy decoding helper: out[r] = the index of the largest x[r, :] (the first one on ties). x [rows, cols]; out [rows].
// One block per row (blockDim.x a multiple of 32, at most 1024).

// Is (v, i) better than (best, at)? Larger value wins; on equal values the smaller index.
static __device__ bool better(float v, int i, float best, int at) { return v > best || (v == best && i < at); }

extern "C" __global__ void argmax_rows(const float* x, int cols, int* out)
{
    __shared__ float part_v[32];
    __shared__ int part_i[32];
    const float* row = x + (long long)blockIdx.x * cols;
    float best = -3.402823466e38f;
    int at = 0x7fffffff;
    for (int c = threadIdx.x; c < cols; c += blockDim.x)
        if (better(row[c], c, best, at)) { best = row[c]; at = c; }
    for (int o = 16; o > 0; o >>= 1)
    {
        float v = __shfl_xor_sync(0xffffffffu, best, o);
        int i = __shfl_xor_sync(0xffffffffu, at, o);
        if (better(v, i, best, at)) { best = v; at = i; }
    }
    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    if (lane == 0) { part_v[warp] = best; part_i[warp] = at; }
    __syncthreads();
    if (threadIdx.x != 0) return;
    for (int w = 1; w < (int)(blockDim.x >> 5); w++)
        if (better(part_v[w], part_i[w], best, at)) { best = part_v[w]; at = part_i[w]; }
    out[blockIdx.x] = at;
}

// On-device SOMP scoring for a batch of heads sharing one dictionary (see src/Kernels/CudaSomp.cs).
//   p      [heads, v, n]: correlations P_h = atoms R_h^T of each atom with each sample's residual
//   scores [heads, v]:    sum_i |P_h[j, i]|
//   taken  [heads, v]:    1 once atom j is selected for head h
//   c      [heads, v]:    c_h[j] = atom_j . q_h (q_h: head h's newest orthonormalised atom)
//   s      [heads, n]:    s_h = Zc_h (W_O^(h)^T q_h)
// Blocks are blockDim.x = a multiple of 32 threads, at most 1024.

static __device__ float block_sum(float v, float* part)
{
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    __syncthreads();
    if (lane == 0) part[warp] = v;
    __syncthreads();
    v = lane < (int)(blockDim.x >> 5) ? part[lane] : 0.0f;
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

static __device__ float magnitude(float x) { return x < 0.0f ? -x : x; }

// scores[h, j] = sum_i |p[h, j, i]|. Grid (v, heads).
extern "C" __global__ void somp_l1(const float* p, int v, int n, float* scores)
{
    __shared__ float part[32];
    const long long row = (long long)blockIdx.y * v + blockIdx.x;
    const float* pr = p + row * n;
    float s = 0.0f;
    for (int i = threadIdx.x; i < n; i += blockDim.x) s += magnitude(pr[i]);
    s = block_sum(s, part);
    if (threadIdx.x == 0) scores[row] = s;
}

// p[h, j, :] -= c[h, j] s[h, :], then scores[h, j] = sum_i |p[h, j, i]| (the rank-one update of one iteration). Grid (v, heads).
extern "C" __global__ void somp_update(float* p, const float* c, const float* s, int v, int n, float* scores)
{
    __shared__ float part[32];
    const long long row = (long long)blockIdx.y * v + blockIdx.x;
    float* pr = p + row * n;
    const float* sh = s + (long long)blockIdx.y * n;
    const float cj = c[row];
    float sum = 0.0f;
    for (int i = threadIdx.x; i < n; i += blockDim.x)
    {
        float x = pr[i] - cj * sh[i];
        pr[i] = x;
        sum += magnitude(x);
    }
    sum = block_sum(sum, part);
    if (threadIdx.x == 0) scores[row] = sum;
}

// best[h] = the untaken atom with the largest score (the first on ties), then marks it taken. Grid (heads).
extern "C" __global__ void somp_select(const float* scores, unsigned char* taken, int v, int* best)
{
    __shared__ float part_v[32];
    __shared__ int part_i[32];
    const float* sh = scores + (long long)blockIdx.x * v;
    unsigned char* th = taken + (long long)blockIdx.x * v;
    float top = -1.0f;   // scores are >= 0
    int at = 0x7fffffff;
    for (int j = threadIdx.x; j < v; j += blockDim.x)
        if (!th[j] && (sh[j] > top || (sh[j] == top && j < at))) { top = sh[j]; at = j; }
    for (int o = 16; o > 0; o >>= 1)
    {
        float ov = __shfl_xor_sync(0xffffffffu, top, o);
        int oi = __shfl_xor_sync(0xffffffffu, at, o);
        if (ov > top || (ov == top && oi < at)) { top = ov; at = oi; }
    }
    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    if (lane == 0) { part_v[warp] = top; part_i[warp] = at; }
    __syncthreads();
    if (threadIdx.x != 0) return;
    for (int w = 1; w < (int)(blockDim.x >> 5); w++)
        if (part_v[w] > top || (part_v[w] == top && part_i[w] < at)) { top = part_v[w]; at = part_i[w]; }
    best[blockIdx.x] = at;
    th[at] = 1;
}

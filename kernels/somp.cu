// On-device SOMP for a batch of heads sharing one dictionary (see src/Kernels/CudaSomp.cs). N = iterations.
//   p        [heads, v, n]:  correlations P_h = atoms R_h^T of each atom with each sample's residual
//   scores   [heads, v]:     sum_i |P_h[j, i]|
//   taken    [heads, v]:     1 once atom j is selected for head h
//   selected [heads, N]:     the atom chosen at each iteration
//   q        [heads, N, dm]: the orthonormalised selected atoms q_0, q_1, ... (a row of zeros for an atom in the span)
//   rt       [heads, N, N]:  R^T of the incremental QR: rt[t, u] = q_u . atom_t (u < t), rt[t, t] = the residual norm
//   c        [heads, v]:     c_h[j] = atom_j . q_t (q_t: head h's newest direction)
//   s        rows s_h = Zc_h (W_O^(h)^T q_t) [n], every `s_stride` floats
//   explained, total [heads] (double): sum_u ||s_u||^2 and ||Zc W_O^T||_F^2; evr [heads, N] (double)
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

// p[h, j, :] -= c[h, j] s_h, then scores[h, j] = sum_i |p[h, j, i]| (the rank-one update of one iteration). Grid (v, heads).
extern "C" __global__ void somp_update(float* p, const float* c, const float* s, long long s_stride, int v, int n, float* scores)
{
    __shared__ float part[32];
    const long long row = (long long)blockIdx.y * v + blockIdx.x;
    float* pr = p + row * n;
    const float* sh = s + blockIdx.y * s_stride;
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

// best[h] = selected[h, t] = the untaken atom with the largest score (the first on ties), then marks it taken. From
// t = 1 on, a score at most noise_fraction * first_best[h] (the best score of t = 0, stored then) counts as 0: once the
// selected atoms span every remaining one, what is left is rounding noise and the first free index is taken. Grid (heads).
extern "C" __global__ void somp_select(const float* scores, unsigned char* taken, int v, int* best, int* selected, float* first_best,
                                       int t, int iterations, float noise_fraction)
{
    __shared__ float part_v[32];
    __shared__ int part_i[32];
    const float* sh = scores + (long long)blockIdx.x * v;
    unsigned char* th = taken + (long long)blockIdx.x * v;
    const float noise = t > 0 ? noise_fraction * first_best[blockIdx.x] : 0.0f;
    float top = -1.0f;   // scores are >= 0
    int at = 0x7fffffff;
    for (int j = threadIdx.x; j < v; j += blockDim.x)
    {
        float score = sh[j] <= noise ? 0.0f : sh[j];
        if (!th[j] && (score > top || (score == top && j < at))) { top = score; at = j; }
    }
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
    selected[blockIdx.x * iterations + t] = at;
    if (t == 0) first_best[blockIdx.x] = top;
    th[at] = 1;
}

// Ends the Gram-Schmidt of iteration t's atom (x: the atom after two projection passes, the second pass's dots in
// dots2 [heads, N]): rt[t, u] += dots2[u] for u < t; norm = ||x||; q[t] = x / norm and rt[t, t] = norm, or q[t] = 0 and
// rt[t, t] = 0 when norm <= tol (the atom is in the span of those before: it explains nothing). Grid (heads).
extern "C" __global__ void somp_orthonormalise(const float* x, const float* dots2, float* rt, float* q, int dm, int t, int iterations, float tol)
{
    __shared__ float part[32];
    const float* xh = x + (long long)blockIdx.x * dm;
    float* rth = rt + ((long long)blockIdx.x * iterations + t) * iterations;
    float* qt = q + ((long long)blockIdx.x * iterations + t) * dm;
    for (int u = threadIdx.x; u < t; u += blockDim.x) rth[u] += dots2[(long long)blockIdx.x * iterations + u];
    float sq = 0.0f;
    for (int k = threadIdx.x; k < dm; k += blockDim.x) sq += xh[k] * xh[k];
    const float norm = __fsqrt_rn(block_sum(sq, part));
    const float inv = norm > tol ? 1.0f / norm : 0.0f;
    for (int k = threadIdx.x; k < dm; k += blockDim.x) qt[k] = xh[k] * inv;
    if (threadIdx.x == 0) rth[t] = norm > tol ? norm : 0.0f;
}

// explained[h] += ||s_h||^2, evr[h, t] = explained[h] / total[h] (0 for a head whose total is 0). Grid (heads).
extern "C" __global__ void somp_explained(const float* s, long long s_stride, int n, double* explained, const double* total, double* evr,
                                          int t, int iterations)
{
    __shared__ float part[32];
    const float* sh = s + blockIdx.x * s_stride;
    float sq = 0.0f;
    for (int i = threadIdx.x; i < n; i += blockDim.x) sq += sh[i] * sh[i];
    sq = block_sum(sq, part);
    if (threadIdx.x != 0) return;
    explained[blockIdx.x] += sq;
    evr[(long long)blockIdx.x * iterations + t] = total[blockIdx.x] > 0.0 ? explained[blockIdx.x] / total[blockIdx.x] : 0.0;
}

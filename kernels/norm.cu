// Row normalisations, one block per row (blockDim.x a multiple of 32, at most 1024).
// layer_norm: y[r] = (x[r] - mean) / sqrt(var + eps) * w + b (biased variance, two passes over the row).
// rms_norm:   y[r] = x[r] / sqrt(mean(x[r]^2) + eps) * w.
// x, y [rows, d]; w, b [d].

// The sum of v over the block, returned to every thread. part: shared scratch [32].
static __device__ float block_sum(float v, float* part)
{
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    __syncthreads();   // part may still be read by a previous call
    if (lane == 0) part[warp] = v;
    __syncthreads();
    v = lane < (int)(blockDim.x >> 5) ? part[lane] : 0.0f;
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

extern "C" __global__ void layer_norm(const float* x, const float* w, const float* b, float* y, int d, float eps)
{
    __shared__ float part[32];
    const float* xr = x + (long long)blockIdx.x * d;
    float* yr = y + (long long)blockIdx.x * d;
    float s = 0.0f;
    for (int c = threadIdx.x; c < d; c += blockDim.x) s += xr[c];
    float mean = block_sum(s, part) / d;
    float q = 0.0f;
    for (int c = threadIdx.x; c < d; c += blockDim.x) { float e = xr[c] - mean; q += e * e; }
    float inv = __frsqrt_rn(block_sum(q, part) / d + eps);
    for (int c = threadIdx.x; c < d; c += blockDim.x) yr[c] = (xr[c] - mean) * inv * w[c] + b[c];
}

extern "C" __global__ void rms_norm(const float* x, const float* w, float* y, int d, float eps)
{
    __shared__ float part[32];
    const float* xr = x + (long long)blockIdx.x * d;
    float* yr = y + (long long)blockIdx.x * d;
    float q = 0.0f;
    for (int c = threadIdx.x; c < d; c += blockDim.x) q += xr[c] * xr[c];
    float inv = __frsqrt_rn(block_sum(q, part) / d + eps);
    for (int c = threadIdx.x; c < d; c += blockDim.x) yr[c] = xr[c] * inv * w[c];
}

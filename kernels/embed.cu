// Embedding lookup: x[r, :] (+)= table[ids[r], :] for r in [0, rows), one block per row r.
// table [table_rows, d] in its file dtype (f32, bf16 or f16); ids [rows] (checked on the host); x [rows, d] fp32.

static __device__ float bf16_value(unsigned short u) { return __uint_as_float(((unsigned int)u) << 16); }

static __device__ float f16_value(unsigned short u)
{
#ifdef HEADPURSUIT_CUDA_EMULATOR   // the tests' CPU emulator (tests/CudaEmulator): the same exact conversion in C
    return (float)__builtin_bit_cast(_Float16, u);
#else
    float f;
    asm("{ .reg .b16 h; mov.b16 h, %1; cvt.f32.f16 %0, h; }" : "=f"(f) : "h"(u));
    return f;
#endif
}

extern "C" __global__ void embed_f32(const float* table, const int* ids, float* x, int d, int accumulate)
{
    const float* src = table + (long long)ids[blockIdx.x] * d;
    float* dst = x + (long long)blockIdx.x * d;
    for (int c = threadIdx.x; c < d; c += blockDim.x) dst[c] = accumulate ? dst[c] + src[c] : src[c];
}

extern "C" __global__ void embed_bf16(const unsigned short* table, const int* ids, float* x, int d, int accumulate)
{
    const unsigned short* src = table + (long long)ids[blockIdx.x] * d;
    float* dst = x + (long long)blockIdx.x * d;
    for (int c = threadIdx.x; c < d; c += blockDim.x) dst[c] = accumulate ? dst[c] + bf16_value(src[c]) : bf16_value(src[c]);
}

extern "C" __global__ void embed_f16(const unsigned short* table, const int* ids, float* x, int d, int accumulate)
{
    const unsigned short* src = table + (long long)ids[blockIdx.x] * d;
    float* dst = x + (long long)blockIdx.x * d;
    for (int c = threadIdx.x; c < d; c += blockDim.x) dst[c] = accumulate ? dst[c] + f16_value(src[c]) : f16_value(src[c]);
}

// Activations rounded to a weight's dtype before a cuBLAS GEMM with bf16/f16 weights, over n values (grid-stride).
// bf16 and f16 values are stored as unsigned short bits. f32 -> bf16 rounds to nearest even (NaN stays a quiet NaN);
// f32 -> f16 uses the PTX cvt instruction (round to nearest even).

static __device__ unsigned short to_bf16(float x)
{
    unsigned int u = __float_as_uint(x);
    if ((u & 0x7fffffffu) > 0x7f800000u) return 0x7fc0;
    return (unsigned short)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

extern "C" __global__ void f32_to_bf16(const float* x, unsigned short* y, long long n)
{
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x)
        y[i] = to_bf16(x[i]);
}

extern "C" __global__ void f32_to_f16(const float* x, unsigned short* y, long long n)
{
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x)
    {
        unsigned short h;
#ifdef HEADPURSUIT_CUDA_EMULATOR   // the tests' CPU emulator (tests/CudaEmulator): the same rounding in C
        h = __builtin_bit_cast(unsigned short, (_Float16)x[i]);
#else
        asm("{ .reg .b16 t; cvt.rn.f16.f32 t, %1; mov.b16 %0, t; }" : "=h"(h) : "f"(x[i]));
#endif
        y[i] = h;
    }
}

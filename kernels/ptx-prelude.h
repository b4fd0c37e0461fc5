// Only for kernels/check-ptx.sh: lets clang compile our NVRTC-style sources (which use no CUDA headers) to PTX
// with -nocudainc -nocudalib. NVRTC provides these names itself; here they become clang attributes and __nvvm_* builtins.
#pragma once

#define __global__ __attribute__((global))
#define __device__ __attribute__((device))
#define __shared__ __attribute__((shared))
#define __constant__ __attribute__((constant))
#define __forceinline__ __inline__ __attribute__((always_inline))

#include <__clang_cuda_builtin_vars.h>
// __syncthreads is a clang builtin already.

static __device__ __forceinline__ float __expf(float x) { return __nvvm_ex2_approx_f(x * 1.4426950408889634f); }
static __device__ __forceinline__ float __fdividef(float a, float b) { return __nvvm_div_approx_f(a, b); }
static __device__ __forceinline__ float __fsqrt_rn(float x) { return __nvvm_sqrt_rn_f(x); }
static __device__ __forceinline__ float __frsqrt_rn(float x) { return __nvvm_rcp_rn_f(__nvvm_sqrt_rn_f(x)); }
static __device__ __forceinline__ float rsqrtf(float x) { return __nvvm_rsqrt_approx_f(x); }
static __device__ __forceinline__ float __uint_as_float(unsigned int x) { return __builtin_bit_cast(float, x); }
static __device__ __forceinline__ unsigned int __float_as_uint(float x) { return __builtin_bit_cast(unsigned int, x); }
static __device__ __forceinline__ float __int_as_float(int x) { return __builtin_bit_cast(float, x); }
static __device__ __forceinline__ int __float_as_int(float x) { return __builtin_bit_cast(int, x); }
static __device__ __forceinline__ float __shfl_xor_sync(unsigned int mask, float v, int lane)
{
    return __nvvm_shfl_sync_bfly_f32(mask, v, lane, 0x1f);
}
static __device__ __forceinline__ int __shfl_xor_sync(unsigned int mask, int v, int lane)
{
    return __nvvm_shfl_sync_bfly_i32(mask, v, lane, 0x1f);
}
static __device__ __forceinline__ float __shfl_sync(unsigned int mask, float v, int lane)
{
    return __nvvm_shfl_sync_idx_f32(mask, v, lane, 0x1f);
}
static __device__ __forceinline__ float atomicAdd(float* p, float v) { return __nvvm_atom_add_gen_f(p, v); }

// Included (-include) before a kernels/*.cu file when the emulated NVRTC compiles it as host C++ for the CPU.
// Supplies what NVRTC would: the CUDA keywords, threadIdx & co., __syncthreads, warp shuffles, atomics and the
// fast-math intrinsics we use. Blocks run one after another on one CPU thread, each CUDA thread a fiber of the
// driver (driver.c), so a `static` local is exactly one block's __shared__ variable and atomics need no locking.
#pragma once
#include "emulator.h"

#define EMU_EXPORT __attribute__((visibility("default")))
extern "C" EMU_EXPORT const emu_thread* emu_self = 0;   // one module = one translation unit: defined here
extern "C" EMU_EXPORT const emu_runtime* emu_rt = 0;

#define __global__
#define __device__
#define __shared__ static
#define __forceinline__ inline
#define __restrict__ __restrict

#define threadIdx (emu_self->thread_idx)
#define blockIdx (emu_self->block_idx)
#define blockDim (emu_self->block_dim)
#define gridDim (emu_self->grid_dim)

static inline void __syncthreads() { emu_rt->sync_block(); }

static inline unsigned int __float_as_uint(float x) { return __builtin_bit_cast(unsigned int, x); }
static inline float __uint_as_float(unsigned int x) { return __builtin_bit_cast(float, x); }
static inline int __float_as_int(float x) { return __builtin_bit_cast(int, x); }
static inline float __int_as_float(int x) { return __builtin_bit_cast(float, x); }

static inline float __shfl_xor_sync(unsigned int, float v, int lane_mask) { return __uint_as_float(emu_rt->shfl_xor(__float_as_uint(v), lane_mask)); }
static inline int __shfl_xor_sync(unsigned int, int v, int lane_mask) { return (int)emu_rt->shfl_xor((unsigned int)v, lane_mask); }
static inline float __shfl_sync(unsigned int, float v, int src_lane) { return __uint_as_float(emu_rt->shfl_idx(__float_as_uint(v), src_lane)); }

static inline float atomicAdd(float* p, float v) { float old = *p; *p = old + v; return old; }

// The GPU's approximate intrinsics, computed exactly here (the parity tolerances cover the GPU's few-ulp error).
static inline float __expf(float x) { return __builtin_expf(x); }
static inline float __fdividef(float a, float b) { return a / b; }
static inline float __fsqrt_rn(float x) { return __builtin_sqrtf(x); }
static inline float __frsqrt_rn(float x) { return 1.0f / __builtin_sqrtf(x); }
static inline float rsqrtf(float x) { return 1.0f / __builtin_sqrtf(x); }

// The launcher of the kernel wrappers the emulated NVRTC appends: calls f with params[i] read as its i-th type.
template <class T, T... I> struct emu_sequence {};
template <class... A, int... I> inline void emu_call(void (*f)(A...), void** params, emu_sequence<int, I...>) { f(*(A*)params[I]...); }
template <class... A> inline void emu_call(void (*f)(A...), void** params) { emu_call(f, params, __make_integer_seq<emu_sequence, int, sizeof...(A)>{}); }

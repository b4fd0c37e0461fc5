// The CUDA emulator's contract between the emulated driver (libcuda.so.1, which launches kernels) and a kernel
// module (a shared library the emulated NVRTC builds from a kernels/*.cu file). Plain C, included by both sides.
//
// A kernel module exports:
//   const emu_thread* emu_self;            the CUDA thread now running (the driver sets it before resuming one)
//   const emu_runtime* emu_rt;             the driver's barrier and shuffle entry points (set once, after loading)
//   void emu_kernel_NAME(void** params);   kernel NAME run by the current thread, params as cuLaunchKernel gets them
#ifndef HEADPURSUIT_CUDA_EMULATOR_H
#define HEADPURSUIT_CUDA_EMULATOR_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct { unsigned int x, y, z; } emu_dim3;

// What a CUDA thread can ask about itself: threadIdx, blockIdx, blockDim, gridDim.
typedef struct
{
    emu_dim3 thread_idx, block_idx, block_dim, grid_dim;
} emu_thread;

typedef struct
{
    void (*sync_block)(void);                                       // __syncthreads()
    unsigned int (*shfl_xor)(unsigned int value, int lane_mask);    // __shfl_xor_sync(full mask, value, lane_mask)
    unsigned int (*shfl_idx)(unsigned int value, int src_lane);     // __shfl_sync(full mask, value, src_lane)
} emu_runtime;

#ifdef __cplusplus
}
#endif

#endif

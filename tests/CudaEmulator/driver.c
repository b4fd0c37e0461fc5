// The emulated CUDA driver (built as libcuda.so.1): the driver API entry points src/Kernels/Native/CudaDriver.cs
// binds, on the CPU. One device, "memory" is host memory (a device address is a host pointer), streams run
// everything at once in issue order, and a kernel launch runs the grid block by block on the calling thread with
// each CUDA thread of a block as a fiber (its own stack; it gives the CPU back at __syncthreads and warp shuffles).
// Only for tests: it checks what our host code asks of the driver and what our kernels compute, not speed.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "emulator.h"

#if !defined(__x86_64__)
#error "the CUDA emulator's fiber switch is written for x86-64"
#endif

#define EXPORT __attribute__((visibility("default")))

enum
{
    SUCCESS = 0, INVALID_VALUE = 1, OUT_OF_MEMORY = 2, NOT_INITIALIZED = 3, INVALID_DEVICE = 101,
    INVALID_IMAGE = 200, INVALID_HANDLE = 400, NOT_FOUND = 500, LAUNCH_FAILED = 719,
};

static int s_initialised;

// ---- errors ----

static const char* error_name(int status)
{
    switch (status)
    {
        case SUCCESS: return "CUDA_SUCCESS";
        case INVALID_VALUE: return "CUDA_ERROR_INVALID_VALUE";
        case OUT_OF_MEMORY: return "CUDA_ERROR_OUT_OF_MEMORY";
        case NOT_INITIALIZED: return "CUDA_ERROR_NOT_INITIALIZED";
        case INVALID_DEVICE: return "CUDA_ERROR_INVALID_DEVICE";
        case INVALID_IMAGE: return "CUDA_ERROR_INVALID_IMAGE";
        case INVALID_HANDLE: return "CUDA_ERROR_INVALID_HANDLE";
        case NOT_FOUND: return "CUDA_ERROR_NOT_FOUND";
        case LAUNCH_FAILED: return "CUDA_ERROR_LAUNCH_FAILED";
        default: return NULL;
    }
}

EXPORT int cuGetErrorName(int status, const char** text)
{
    *text = error_name(status);
    return *text ? SUCCESS : INVALID_VALUE;
}

EXPORT int cuGetErrorString(int status, const char** text)
{
    *text = error_name(status) ? (status == LAUNCH_FAILED ? "the emulated kernel deadlocked (see stderr)" : "reported by the CUDA emulator") : NULL;
    return *text ? SUCCESS : INVALID_VALUE;
}

// ---- device and context ----

EXPORT int cuInit(unsigned int flags)
{
    if (flags != 0) return INVALID_VALUE;
    s_initialised = 1;
    return SUCCESS;
}

EXPORT int cuDeviceGetCount(int* count)
{
    if (!s_initialised) return NOT_INITIALIZED;
    *count = 1;
    return SUCCESS;
}

EXPORT int cuDeviceGet(int* device, int ordinal)
{
    if (!s_initialised) return NOT_INITIALIZED;
    if (ordinal != 0) return INVALID_DEVICE;
    *device = 0;
    return SUCCESS;
}

EXPORT int cuDeviceGetAttribute(int* value, int attribute, int device)
{
    if (device != 0) return INVALID_DEVICE;
    switch (attribute)
    {
        case 75: *value = 8; return SUCCESS;   // compute capability 8.0 (kernels are compiled "for sm_80")
        case 76: *value = 0; return SUCCESS;
        case 16: *value = 1; return SUCCESS;   // one multiprocessor
        default: return INVALID_VALUE;
    }
}

EXPORT int cuDeviceGetName(char* name, int length, int device)
{
    if (device != 0) return INVALID_DEVICE;
    snprintf(name, (size_t)length, "HeadPursuit CUDA emulator (CPU)");
    return SUCCESS;
}

EXPORT int cuDeviceTotalMem_v2(size_t* bytes, int device)
{
    if (device != 0) return INVALID_DEVICE;
    *bytes = (size_t)4 << 30;
    return SUCCESS;
}

static int s_context;   // the primary context: its address is the handle

EXPORT int cuDevicePrimaryCtxRetain(void** context, int device)
{
    if (device != 0) return INVALID_DEVICE;
    *context = &s_context;
    return SUCCESS;
}

EXPORT int cuDevicePrimaryCtxRelease_v2(int device) { return device == 0 ? SUCCESS : INVALID_DEVICE; }
EXPORT int cuCtxSetCurrent(void* context) { return context == &s_context ? SUCCESS : INVALID_HANDLE; }

// ---- memory and streams (work is done when it is queued) ----

static long s_live;   // allocations not yet freed (emu_live_allocations)

EXPORT int cuMemAlloc_v2(uint64_t* address, size_t bytes)
{
    if (bytes == 0) return INVALID_VALUE;
    void* p = aligned_alloc(256, (bytes + 255) / 256 * 256);
    if (!p) return OUT_OF_MEMORY;
    *address = (uint64_t)(uintptr_t)p;
    __atomic_add_fetch(&s_live, 1, __ATOMIC_RELAXED);
    return SUCCESS;
}

EXPORT int cuMemFree_v2(uint64_t address)
{
    if (address == 0) return INVALID_VALUE;
    free((void*)(uintptr_t)address);
    __atomic_sub_fetch(&s_live, 1, __ATOMIC_RELAXED);
    return SUCCESS;
}

// For the tests: how many device allocations are live (a backend that frees what it allocates brings this back).
EXPORT long emu_live_allocations(void) { return __atomic_load_n(&s_live, __ATOMIC_RELAXED); }

EXPORT int cuMemcpyHtoDAsync_v2(uint64_t dst, const void* src, size_t bytes, void* stream)
{
    (void)stream;
    memcpy((void*)(uintptr_t)dst, src, bytes);
    return SUCCESS;
}

EXPORT int cuMemcpyDtoHAsync_v2(void* dst, uint64_t src, size_t bytes, void* stream)
{
    (void)stream;
    memcpy(dst, (const void*)(uintptr_t)src, bytes);
    return SUCCESS;
}

EXPORT int cuMemsetD8Async(uint64_t dst, unsigned char value, size_t count, void* stream)
{
    (void)stream;
    memset((void*)(uintptr_t)dst, value, count);
    return SUCCESS;
}

static int s_stream;

EXPORT int cuStreamCreate(void** stream, unsigned int flags)
{
    (void)flags;
    *stream = &s_stream;
    return SUCCESS;
}

EXPORT int cuStreamDestroy_v2(void* stream) { return stream == &s_stream ? SUCCESS : INVALID_HANDLE; }
EXPORT int cuStreamSynchronize(void* stream) { return stream == &s_stream || stream == NULL ? SUCCESS : INVALID_HANDLE; }

// ---- modules: the emulated NVRTC's "CUBIN" is a shared library ----

// The image nvrtc.c hands out: "HPEMU-SO" (8 bytes), the library's size (8 bytes, little-endian), the library.
static const char k_magic[8] = { 'H', 'P', 'E', 'M', 'U', '-', 'S', 'O' };

typedef struct
{
    void* library;
    const emu_thread** self;   // the module's emu_self
} module;

typedef struct
{
    module* owner;
    void (*run)(void** params);   // the module's emu_kernel_NAME
    char name[128];
} function;

static const emu_runtime s_runtime;

EXPORT int cuModuleLoadData(module** result, const void* image)
{
    if (memcmp(image, k_magic, sizeof k_magic) != 0)
    {
        fprintf(stderr, "CUDA emulator: cuModuleLoadData was given an image that the emulated NVRTC did not make\n");
        return INVALID_IMAGE;
    }
    uint64_t size;
    memcpy(&size, (const char*)image + 8, 8);
    char path[] = "/tmp/headpursuit-emu-module-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return OUT_OF_MEMORY;
    const char* bytes = (const char*)image + 16;
    for (uint64_t done = 0; done < size;)
    {
        ssize_t n = write(fd, bytes + done, size - done);
        if (n <= 0) { close(fd); unlink(path); return OUT_OF_MEMORY; }
        done += (uint64_t)n;
    }
    close(fd);
    void* library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    unlink(path);
    if (!library)
    {
        fprintf(stderr, "CUDA emulator: %s\n", dlerror());
        return INVALID_IMAGE;
    }
    const emu_thread** self = (const emu_thread**)dlsym(library, "emu_self");
    const emu_runtime** rt = (const emu_runtime**)dlsym(library, "emu_rt");
    if (!self || !rt) { dlclose(library); return INVALID_IMAGE; }
    *rt = &s_runtime;
    module* m = malloc(sizeof *m);
    m->library = library;
    m->self = self;
    *result = m;
    return SUCCESS;
}

EXPORT int cuModuleUnload(module* m)
{
    dlclose(m->library);
    free(m);
    return SUCCESS;
}

EXPORT int cuModuleGetFunction(function** result, module* m, const char* name)
{
    char symbol[160];
    snprintf(symbol, sizeof symbol, "emu_kernel_%s", name);
    void* run = dlsym(m->library, symbol);
    if (!run || strlen(name) >= sizeof((function*)0)->name) return NOT_FOUND;
    function* f = malloc(sizeof *f);
    f->owner = m;
    f->run = (void (*)(void**))run;
    strcpy(f->name, name);
    *result = f;
    return SUCCESS;
}

// ---- fibers: one per CUDA thread of the running block ----

enum { READY, AT_BLOCK_BARRIER, AT_WARP_BARRIER, DONE };
#define MAX_THREADS 1024
#define STACK_BYTES (256 * 1024)

typedef struct
{
    void* sp;                   // saved stack pointer while suspended
    int state;
    unsigned int shuffled;      // the value this thread offers in the current warp shuffle
    emu_thread t;
} fiber;

// One launch at a time (s_launch): the fibers, their stacks and the scheduler's state below belong to it.
static pthread_mutex_t s_launch = PTHREAD_MUTEX_INITIALIZER;
static fiber s_fibers[MAX_THREADS];
static int s_reverse;           // run a block's threads last to first (see emu_schedule_reverse)
static char* s_stacks;          // [MAX_THREADS * STACK_BYTES], reserved once
static void* s_scheduler_sp;
static int s_current, s_threads;
static const function* s_function;
static void** s_params;

// Saves the callee-saved registers on this stack and its pointer in *save, then restores those of the stack at `load`.
__attribute__((naked, noinline)) static void switch_stack(void** save, void* load)
{
    __asm__("pushq %rbp\n pushq %rbx\n pushq %r12\n pushq %r13\n pushq %r14\n pushq %r15\n"
            "movq %rsp, (%rdi)\n movq %rsi, %rsp\n"
            "popq %r15\n popq %r14\n popq %r13\n popq %r12\n popq %rbx\n popq %rbp\n ret\n");
}

static void suspend(int state)
{
    fiber* f = &s_fibers[s_current];
    f->state = state;
    switch_stack(&f->sp, s_scheduler_sp);
}

static void fiber_main(void)
{
    s_function->run(s_params);
    suspend(DONE);
}

// A fresh stack whose first switch_stack "returns" into fiber_main (six zero registers, then its address).
static void* fresh_stack(int i)
{
    uint64_t* top = (uint64_t*)(s_stacks + (size_t)(i + 1) * STACK_BYTES);
    top[-1] = 0;                                 // fiber_main's return address: never used
    top[-2] = (uint64_t)(uintptr_t)fiber_main;
    for (int r = 3; r <= 8; r++) top[-r] = 0;
    return top - 8;
}

static void sync_block(void) { suspend(AT_BLOCK_BARRIER); }

// Every live lane of the warp offers its value, then reads lane `partner`'s (a lane of the same warp); a lane whose
// partner is outside the block or has returned keeps its own value.
static unsigned int shuffle(unsigned int value, int partner)
{
    int me = s_current;
    s_fibers[me].shuffled = value;
    suspend(AT_WARP_BARRIER);   // all have offered
    unsigned int got = partner < s_threads && s_fibers[partner].state != DONE ? s_fibers[partner].shuffled : value;
    suspend(AT_WARP_BARRIER);   // all have read: the next shuffle may overwrite
    return got;
}

static unsigned int shfl_xor(unsigned int value, int lane_mask) { return shuffle(value, (s_current & ~31) | ((s_current ^ lane_mask) & 31)); }
static unsigned int shfl_idx(unsigned int value, int src_lane) { return shuffle(value, (s_current & ~31) | (src_lane & 31)); }

static const emu_runtime s_runtime = { sync_block, shfl_xor, shfl_idx };

// Releases the waiting fibers whose barrier is complete; 0 when none can go on (a deadlock).
static int release_barriers(void)
{
    int released = 0, live = 0, at_block = 0;
    for (int w = 0; w * 32 < s_threads; w++)
    {
        int waiting = 0, live_in_warp = 0;
        for (int i = w * 32; i < s_threads && i < w * 32 + 32; i++)
        {
            if (s_fibers[i].state == DONE) continue;
            live_in_warp++;
            waiting += s_fibers[i].state == AT_WARP_BARRIER;
            at_block += s_fibers[i].state == AT_BLOCK_BARRIER;
        }
        live += live_in_warp;
        if (waiting > 0 && waiting == live_in_warp)
        {
            for (int i = w * 32; i < s_threads && i < w * 32 + 32; i++) s_fibers[i].state = READY;
            released = 1;
        }
    }
    if (!released && at_block > 0 && at_block == live)
    {
        for (int i = 0; i < s_threads; i++)
            if (s_fibers[i].state == AT_BLOCK_BARRIER) s_fibers[i].state = READY;
        released = 1;
    }
    return released;
}

// Runs one block to completion: every fiber runs until it waits or returns, then completed barriers open.
static int run_block(emu_dim3 block_idx, emu_dim3 block_dim, emu_dim3 grid_dim)
{
    for (int i = 0; i < s_threads; i++)
    {
        fiber* f = &s_fibers[i];
        f->state = READY;
        f->sp = fresh_stack(i);
        f->t.thread_idx = (emu_dim3){ i % block_dim.x, i / block_dim.x % block_dim.y, i / (block_dim.x * block_dim.y) };
        f->t.block_idx = block_idx;
        f->t.block_dim = block_dim;
        f->t.grid_dim = grid_dim;
    }
    for (;;)
    {
        int done = 0;
        for (int k = 0; k < s_threads; k++)
        {
            int i = s_reverse ? s_threads - 1 - k : k;
            if (s_fibers[i].state == READY)
            {
                s_current = i;
                *s_function->owner->self = &s_fibers[i].t;
                switch_stack(&s_scheduler_sp, s_fibers[i].sp);
            }
            done += s_fibers[i].state == DONE;
        }
        if (done == s_threads) return SUCCESS;
        if (!release_barriers())
        {
            fprintf(stderr, "CUDA emulator: kernel %s deadlocked in block (%u, %u, %u): threads wait at barriers that not all live threads reach\n",
                    s_function->name, block_idx.x, block_idx.y, block_idx.z);
            return LAUNCH_FAILED;
        }
    }
}

static int run_grid(const function* f, emu_dim3 grid, emu_dim3 block, void** params)
{
    if (!s_stacks)
    {
        s_stacks = mmap(NULL, (size_t)MAX_THREADS * STACK_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (s_stacks == MAP_FAILED) { s_stacks = NULL; return OUT_OF_MEMORY; }
    }
    s_function = f;
    s_params = params;
    s_threads = (int)(block.x * block.y * block.z);
    for (unsigned int z = 0; z < grid.z; z++)
        for (unsigned int y = 0; y < grid.y; y++)
            for (unsigned int x = 0; x < grid.x; x++)
            {
                int status = run_block((emu_dim3){ x, y, z }, block, grid);
                if (status != SUCCESS) return status;
            }
    return SUCCESS;
}

EXPORT int cuLaunchKernel(function* f, unsigned int grid_x, unsigned int grid_y, unsigned int grid_z, unsigned int block_x,
                          unsigned int block_y, unsigned int block_z, unsigned int shared_bytes, void* stream, void** params, void** extra)
{
    (void)stream;
    unsigned long threads = (unsigned long)block_x * block_y * block_z;
    if (threads == 0 || threads > MAX_THREADS || grid_x == 0 || grid_y == 0 || grid_z == 0 || grid_y > 65535 || grid_z > 65535) return INVALID_VALUE;
    if (shared_bytes != 0 || extra != NULL) return INVALID_VALUE;   // our kernels use neither
    pthread_mutex_lock(&s_launch);
    int status = run_grid(f, (emu_dim3){ grid_x, grid_y, grid_z }, (emu_dim3){ block_x, block_y, block_z }, params);
    pthread_mutex_unlock(&s_launch);
    return status;
}

// Not a driver entry point: the tests call it to run every block's threads in the opposite order, so that a kernel
// reading shared memory another thread writes without a barrier between gives a different answer one way or the other.
EXPORT void emu_schedule_reverse(int on)
{
    pthread_mutex_lock(&s_launch);
    s_reverse = on != 0;
    pthread_mutex_unlock(&s_launch);
}

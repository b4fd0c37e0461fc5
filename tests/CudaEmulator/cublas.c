// The emulated cuBLAS (built as libcublas.so.12): the GEMMs src/Kernels/Native/Cublas.cs binds, on the CPU, in
// cuBLAS's column-major convention: C = alpha op(A) op(B) + beta C with op(A) [m, k], op(B) [k, n], C [m, n],
// element (i, j) of a matrix with leading dimension ld at i + j ld. Inputs fp32, fp16 or bf16; output fp32;
// products summed in fp32 in order of k (cuBLAS's CUBLAS_COMPUTE_32F). As on the GPU, beta = 0 ignores C's contents.
#include <stdint.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

enum { SUCCESS = 0, INVALID_VALUE = 7, NOT_SUPPORTED = 15 };
enum { OP_N = 0, OP_T = 1 };
enum { R32F = 0, R16F = 2, R16BF = 14 };
enum { COMPUTE_32F = 68 };

static int s_handle;

EXPORT int cublasCreate_v2(void** handle) { *handle = &s_handle; return SUCCESS; }
EXPORT int cublasDestroy_v2(void* handle) { return handle == &s_handle ? SUCCESS : INVALID_VALUE; }
EXPORT int cublasSetStream_v2(void* handle, void* stream) { (void)stream; return handle == &s_handle ? SUCCESS : INVALID_VALUE; }

// Element `at` of a matrix of dtype `type` as fp32.
static float element(const void* base, int type, int64_t at)
{
    switch (type)
    {
        case R32F: return ((const float*)base)[at];
        case R16F: return (float)((const _Float16*)base)[at];
        default:
        {
            uint32_t bits = (uint32_t)((const uint16_t*)base)[at] << 16;
            float f;
            memcpy(&f, &bits, 4);
            return f;
        }
    }
}

static int check(int ta, int tb, int m, int n, int k, int a_type, int lda, int b_type, int ldb, int c_type, int ldc, int compute)
{
    if ((ta != OP_N && ta != OP_T) || (tb != OP_N && tb != OP_T) || m < 0 || n < 0 || k < 0) return INVALID_VALUE;
    if (lda < (ta == OP_N ? m : k) || ldb < (tb == OP_N ? k : n) || ldc < m || lda < 1 || ldb < 1 || ldc < 1) return INVALID_VALUE;
    int known_a = a_type == R32F || a_type == R16F || a_type == R16BF, known_b = b_type == R32F || b_type == R16F || b_type == R16BF;
    if (!known_a || !known_b || a_type != b_type || c_type != R32F || compute != COMPUTE_32F) return NOT_SUPPORTED;
    return SUCCESS;
}

static void gemm(int ta, int tb, int m, int n, int k, float alpha, const void* a, int a_type, int lda, const void* b, int b_type, int ldb,
                 float beta, float* c, int ldc)
{
    for (int j = 0; j < n; j++)
        for (int i = 0; i < m; i++)
        {
            float sum = 0.0f;
            for (int l = 0; l < k; l++)
            {
                float x = element(a, a_type, ta == OP_N ? i + (int64_t)l * lda : l + (int64_t)i * lda);
                float y = element(b, b_type, tb == OP_N ? l + (int64_t)j * ldb : j + (int64_t)l * ldb);
                sum += x * y;
            }
            float* out = c + i + (int64_t)j * ldc;
            *out = beta == 0.0f ? alpha * sum : alpha * sum + beta * *out;
        }
}

static int type_bytes(int type) { return type == R32F ? 4 : 2; }

EXPORT int cublasGemmEx(void* handle, int ta, int tb, int m, int n, int k, const float* alpha, const void* a, int a_type, int lda,
                        const void* b, int b_type, int ldb, const float* beta, void* c, int c_type, int ldc, int compute, int algo)
{
    (void)algo;
    if (handle != &s_handle) return INVALID_VALUE;
    int status = check(ta, tb, m, n, k, a_type, lda, b_type, ldb, c_type, ldc, compute);
    if (status == SUCCESS) gemm(ta, tb, m, n, k, *alpha, a, a_type, lda, b, b_type, ldb, *beta, c, ldc);
    return status;
}

EXPORT int cublasGemmStridedBatchedEx(void* handle, int ta, int tb, int m, int n, int k, const float* alpha, const void* a, int a_type,
                                      int lda, int64_t stride_a, const void* b, int b_type, int ldb, int64_t stride_b, const float* beta,
                                      void* c, int c_type, int ldc, int64_t stride_c, int batches, int compute, int algo)
{
    (void)algo;
    if (handle != &s_handle) return INVALID_VALUE;
    int status = check(ta, tb, m, n, k, a_type, lda, b_type, ldb, c_type, ldc, compute);
    if (status != SUCCESS) return status;
    if (batches < 0) return INVALID_VALUE;
    for (int i = 0; i < batches; i++)
        gemm(ta, tb, m, n, k, *alpha, (const char*)a + i * stride_a * type_bytes(a_type), a_type, lda,
             (const char*)b + i * stride_b * type_bytes(b_type), b_type, ldb, *beta, (float*)c + i * stride_c, ldc);
    return SUCCESS;
}

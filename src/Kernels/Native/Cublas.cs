using System.Runtime.InteropServices;

namespace HeadPursuit.Kernels.Native;

/// <summary>
/// The cuBLAS entry points we use. cuBLAS is column-major: a row-major [r, c] buffer is, to cuBLAS, the
/// column-major [c, r] matrix (its transpose) with leading dimension c. Calls return a cublasStatus_t.
/// </summary>
static unsafe partial class Cublas
{
    public const string Library = "cublas";

    public const int OpN = 0, OpT = 1;                 // cublasOperation_t
    public const int R32F = 0, R16F = 2, R16BF = 14;   // cudaDataType_t
    public const int Compute32F = 68;                  // CUBLAS_COMPUTE_32F: fp32 accumulate, no reduced-precision shortcuts
    public const int GemmDefault = -1;                 // CUBLAS_GEMM_DEFAULT

    [LibraryImport(Library, EntryPoint = "cublasCreate_v2")] public static partial int cublasCreate(out IntPtr handle);
    [LibraryImport(Library, EntryPoint = "cublasDestroy_v2")] public static partial int cublasDestroy(IntPtr handle);
    [LibraryImport(Library, EntryPoint = "cublasSetStream_v2")] public static partial int cublasSetStream(IntPtr handle, IntPtr stream);

    [LibraryImport(Library)]
    public static partial int cublasGemmEx(IntPtr handle, int transA, int transB, int m, int n, int k, float* alpha,
                                           ulong a, int aType, int lda, ulong b, int bType, int ldb, float* beta,
                                           ulong c, int cType, int ldc, int computeType, int algo);

    [LibraryImport(Library)]
    public static partial int cublasGemmStridedBatchedEx(IntPtr handle, int transA, int transB, int m, int n, int k, float* alpha,
                                                         ulong a, int aType, int lda, long strideA, ulong b, int bType, int ldb, long strideB,
                                                         float* beta, ulong c, int cType, int ldc, long strideC, int batchCount,
                                                         int computeType, int algo);

    public static void Check(int status, string call)
    {
        if (status != 0) throw new CudaException($"{call} failed: {StatusText.Cublas(status)}");
    }
}

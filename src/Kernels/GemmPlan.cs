using HeadPursuit.Runtime.Cpu;
using HeadPursuit.Kernels.Native;

namespace HeadPursuit.Kernels;

/// <summary>
/// The cuBLAS (column-major) arguments for the row-major product y[rows, out] = x[rows, in] W, with W stored
/// row-major in either layout. A row-major [r, c] buffer is, to cuBLAS, the column-major [c, r] matrix (its
/// transpose) with leading dimension c. So we ask cuBLAS for y^T [out, rows] = op(W') x^T, where x^T is x's buffer
/// as is (ldb = in) and W' is W's buffer read column-major:
///   OutIn (W[out, in], y = x W^T): W' = W^T [in, out], lda = in, and op = T gives W [out, in];
///   InOut (W[in, out], y = x W):   W' = W^T [out, in], lda = out, and op = N uses it as is.
/// C = y's buffer, ldc = out. M = out, N = rows, K = in.
/// </summary>
internal readonly record struct GemmPlan(int TransA, int TransB, int M, int N, int K, int Lda, int Ldb, int Ldc)
{
    public static GemmPlan For(WeightLayout layout, int rows, int inDim, int outDim) => layout switch
    {
        WeightLayout.OutIn => new(Cublas.OpT, Cublas.OpN, outDim, rows, inDim, inDim, inDim, outDim),
        WeightLayout.InOut => new(Cublas.OpN, Cublas.OpN, outDim, rows, inDim, outDim, inDim, outDim),
        _ => throw new ArgumentOutOfRangeException(nameof(layout)),
    };

    /// <summary>
    /// What cuBLAS computes with this plan, on the host: C = op(A) op(B) with A, B, C column-major (the slow, obvious
    /// reading of the BLAS definition; tests check it against the row-major product).
    /// </summary>
    public void Reference(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c)
    {
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++)
            {
                double s = 0;
                for (int p = 0; p < K; p++)
                {
                    float av = TransA == Cublas.OpN ? a[i + p * Lda] : a[p + i * Lda];   // op(A)[i, p]
                    float bv = TransB == Cublas.OpN ? b[p + j * Ldb] : b[j + p * Ldb];   // op(B)[p, j]
                    s += (double)av * bv;
                }
                c[i + j * Ldc] = (float)s;
            }
    }
}

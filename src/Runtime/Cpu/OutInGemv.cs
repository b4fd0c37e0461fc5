using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HeadPursuit.Runtime.Cpu;

/// <summary>
/// The small-m path (decode: 1 to <see cref="Gemm.GemvRows"/> rows of x) for an OutIn weight (stored [n, k], as a Linear): output j is the dot
/// product of the contiguous stored row j with each row of x, so the weight is streamed once, row after row, in its
/// file dtype and widened in registers. One parallel index computes a block of output columns, so threads split the
/// weight between them and the result does not depend on how many there are. Needs AVX2 + FMA (the caller falls back
/// to the blocked path otherwise). InOut weights take <see cref="InOutGemv{TElem}"/>. The kernel is compiled fully
/// optimized at once (a decode's first tokens would otherwise run it unoptimized).
/// </summary>
internal unsafe struct OutInGemv<TElem> : IParallelBody where TElem : struct, IWeightElement
{
    public float* X;            // [M, K] row-major, M <= 4
    public float* Y;            // [M, N] row-major
    public float* Bias;         // [N] or null
    public byte* W;             // [N, K] in TElem
    public int M, N, K;
    public bool Accumulate;
    public int ColumnsPerItem;  // a multiple of 8

    /// <summary>Cuts the output columns into about 4 blocks per thread (for balance); returns the number of parallel indices.</summary>
    public int Plan(int threads)
    {
        int vectors = (N + 7) / 8;
        int items = Math.Clamp(threads * 4, 1, vectors);
        ColumnsPerItem = (vectors + items - 1) / items * 8;
        return (N + ColumnsPerItem - 1) / ColumnsPerItem;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public readonly void Run(int item)
    {
        int j0 = item * ColumnsPerItem, j1 = Math.Min(N, j0 + ColumnsPerItem);
        // 512-bit chains, or two columns at once, streamed the weight from DRAM more slowly (gemm bench)
        for (int j = j0; j < j1; j++) OutInColumn(j);
    }

    /// <summary>OutIn [n, k]: output j is the dot product of stored row j with each row of x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    readonly void OutInColumn(int j)
    {
        Vector256<float> a00 = default, a01 = default, a10 = default, a11 = default;   // [row][two chains]
        Vector256<float> a20 = default, a21 = default, a30 = default, a31 = default;
        float* x0 = X, x1 = X + K, x2 = x1 + K, x3 = x2 + K;
        int rows = M;
        byte* w = W + (long)j * K * TElem.Size;
        int p = 0;
        for (; p + 16 <= K; p += 16)
        {
            Vector256<float> w0 = TElem.Load8(w, p), w1 = TElem.Load8(w, p + 8);
            a00 = Fma.MultiplyAdd(Vector256.Load(x0 + p), w0, a00); a01 = Fma.MultiplyAdd(Vector256.Load(x0 + p + 8), w1, a01);
            if (rows > 1)
            {
                a10 = Fma.MultiplyAdd(Vector256.Load(x1 + p), w0, a10); a11 = Fma.MultiplyAdd(Vector256.Load(x1 + p + 8), w1, a11);
                if (rows > 2)
                {
                    a20 = Fma.MultiplyAdd(Vector256.Load(x2 + p), w0, a20); a21 = Fma.MultiplyAdd(Vector256.Load(x2 + p + 8), w1, a21);
                    if (rows > 3)
                    {
                        a30 = Fma.MultiplyAdd(Vector256.Load(x3 + p), w0, a30); a31 = Fma.MultiplyAdd(Vector256.Load(x3 + p + 8), w1, a31);
                    }
                }
            }
        }
        float s0 = Vector256.Sum(a00 + a01), s1 = Vector256.Sum(a10 + a11), s2 = Vector256.Sum(a20 + a21), s3 = Vector256.Sum(a30 + a31);
        for (; p < K; p++)
        {
            float wp = TElem.Load1(w, p);
            s0 = MathF.FusedMultiplyAdd(x0[p], wp, s0);
            if (rows > 1) s1 = MathF.FusedMultiplyAdd(x1[p], wp, s1);
            if (rows > 2) s2 = MathF.FusedMultiplyAdd(x2[p], wp, s2);
            if (rows > 3) s3 = MathF.FusedMultiplyAdd(x3[p], wp, s3);
        }
        Finish1(0, j, s0);
        if (rows > 1) Finish1(1, j, s1);
        if (rows > 2) Finish1(2, j, s2);
        if (rows > 3) Finish1(3, j, s3);
    }

    /// <summary>y[r, j] = sum (+ bias) (+ y).</summary>
    readonly void Finish1(int r, int j, float sum)
    {
        float* y = Y + (long)r * N + j;
        if (Bias != null) sum += Bias[j];
        if (Accumulate) sum += *y;
        *y = sum;
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HeadPursuit.Runtime.Cpu;

/// <summary>
/// The small-m path (decode: 1 to 4 rows of x): no packing, the weight is streamed once from memory in its
/// file dtype and widened in registers (rows after the first reread the few rows in flight from L1). One parallel
/// index computes a block of output columns, so threads split the weight between them and the result does
/// not depend on how many there are. Needs AVX2 + FMA (the caller falls back to the blocked path otherwise); with
/// <see cref="Wide"/> the InOut inner loops run 16 lanes of AVX-512 at a time, adding the same products in the same
/// order into each output, so both widths give the same results bit for bit. The kernels are compiled fully optimized
/// at once (a decode's first tokens would otherwise run them unoptimized).
/// </summary>
internal unsafe struct Gemv<TElem> : IParallelBody where TElem : struct, IWeightElement
{
    public const int MaxRows = 4;

    public float* X;            // [M, K] row-major, M <= 4
    public float* Y;            // [M, N] row-major
    public float* Bias;         // [N] or null
    public byte* W;
    public WeightLayout Layout;
    public int M, N, K;
    public bool Accumulate;
    public bool Wide;           // AVX-512 inner loops
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
        if (Layout == WeightLayout.InOut)
            InOutColumns(j0, j1);
        else   // both widths: 512-bit chains, or two columns at once, streamed the weight from DRAM more slowly (gemm bench)
            for (int j = j0; j < j1; j++) OutInColumn(j);
    }

    /// <summary>
    /// InOut [k, n]: y[:, j0..j1] row by row of the weight, y[r, :] += x[r, p] * W[p, j0..j1], four weight rows
    /// at a time. Each weight row segment is read once, contiguously (a few pages, prefetch-friendly), and
    /// the partial sums live in a small L1-resident buffer. Every output is summed in order p = 0, 1, ..., k-1
    /// by fused multiply-adds, in the vector columns and the leftover scalar columns alike.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    readonly void InOutColumns(int j0, int j1)
    {
        int width = j1 - j0, vectorWidth = width / 8 * 8;
        float* sums = ScratchBuffer.Get(ScratchBuffer.Gemv, MaxRows * ColumnsPerItem);   // [M][width]
        new Span<float>(sums, M * width).Clear();
        long rowBytes = (long)N * TElem.Size;
        byte* w = W + (long)j0 * TElem.Size;
        int p = 0;
        for (; p + 4 <= K; p += 4, w += 4 * rowBytes)
            for (int r = 0; r < M; r++)
            {
                float* x = X + (long)r * K + p;
                float* s = sums + r * width;
                int c = 0;
                if (Wide)
                {
                    Vector512<float> y0 = Vector512.Create(x[0]), y1 = Vector512.Create(x[1]), y2 = Vector512.Create(x[2]), y3 = Vector512.Create(x[3]);
                    for (; c + 16 <= vectorWidth; c += 16)
                    {
                        Vector512<float> a = Vector512.Load(s + c);
                        a = Avx512F.FusedMultiplyAdd(y0, TElem.Load16(w, c), a);
                        a = Avx512F.FusedMultiplyAdd(y1, TElem.Load16(w + rowBytes, c), a);
                        a = Avx512F.FusedMultiplyAdd(y2, TElem.Load16(w + 2 * rowBytes, c), a);
                        a = Avx512F.FusedMultiplyAdd(y3, TElem.Load16(w + 3 * rowBytes, c), a);
                        a.Store(s + c);
                    }
                }
                Vector256<float> x0 = Vector256.Create(x[0]), x1 = Vector256.Create(x[1]), x2 = Vector256.Create(x[2]), x3 = Vector256.Create(x[3]);
                for (; c < vectorWidth; c += 8)
                {
                    Vector256<float> a = Vector256.Load(s + c);
                    a = Fma.MultiplyAdd(x0, TElem.Load8(w, c), a);
                    a = Fma.MultiplyAdd(x1, TElem.Load8(w + rowBytes, c), a);
                    a = Fma.MultiplyAdd(x2, TElem.Load8(w + 2 * rowBytes, c), a);
                    a = Fma.MultiplyAdd(x3, TElem.Load8(w + 3 * rowBytes, c), a);
                    a.Store(s + c);
                }
                for (c = vectorWidth; c < width; c++)
                    for (int q = 0; q < 4; q++)
                        s[c] = MathF.FusedMultiplyAdd(x[q], TElem.Load1(w + q * rowBytes, c), s[c]);
            }
        for (; p < K; p++, w += rowBytes)
            for (int r = 0; r < M; r++)
            {
                float* s = sums + r * width;
                float xp = X[(long)r * K + p];
                int c = 0;
                if (Wide)
                    for (Vector512<float> xw = Vector512.Create(xp); c + 16 <= vectorWidth; c += 16)
                        Avx512F.FusedMultiplyAdd(xw, TElem.Load16(w, c), Vector512.Load(s + c)).Store(s + c);
                Vector256<float> xv = Vector256.Create(xp);
                for (; c < vectorWidth; c += 8)
                    Fma.MultiplyAdd(xv, TElem.Load8(w, c), Vector256.Load(s + c)).Store(s + c);
                for (c = vectorWidth; c < width; c++)
                    s[c] = MathF.FusedMultiplyAdd(xp, TElem.Load1(w, c), s[c]);
            }
        for (int r = 0; r < M; r++)
            for (int c = 0; c < width; c++) Finish1(r, j0 + c, sums[r * width + c]);
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

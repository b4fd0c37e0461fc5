using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HeadPursuit.Runtime.Cpu;

/// <summary>
/// The small-m path (decode: 1 to 4 rows of x): no packing, the weight is streamed once from memory in its
/// file dtype, widened in registers, and every loaded weight vector is used for all rows. One parallel
/// index computes a block of output columns, so threads split the weight between them and the result does
/// not depend on how many there are. Needs AVX2 + FMA (the caller falls back to the blocked path otherwise).
/// </summary>
internal unsafe struct Gemv<TElem> : IParallelBody where TElem : struct, IWeightElement
{
    public const int MaxRows = 4;
    /// <summary>Output columns per parallel index.</summary>
    public const int ColumnsPerItem = 128;

    public float* X;            // [M, K] row-major, M <= 4
    public float* Y;            // [M, N] row-major
    public float* Bias;         // [N] or null
    public byte* W;
    public WeightLayout Layout;
    public int M, N, K;
    public bool Accumulate;

    public readonly int Items => (N + ColumnsPerItem - 1) / ColumnsPerItem;

    public readonly void Run(int item)
    {
        int j0 = item * ColumnsPerItem, j1 = Math.Min(N, j0 + ColumnsPerItem);
        if (Layout == WeightLayout.InOut)
        {
            int j = j0;
            for (; j + 16 <= j1; j += 16) InOutBlock16(j);
            for (; j < j1; j++) InOutColumn(j);
        }
        else
        {
            for (int j = j0; j < j1; j++) OutInColumn(j);
        }
    }

    /// <summary>InOut [k, n]: columns j .. j+15 for all rows, walking down the weight one 16-wide row at a time.</summary>
    readonly void InOutBlock16(int j)
    {
        Vector256<float> a00 = default, a01 = default, a10 = default, a11 = default;   // [row][8 columns]
        Vector256<float> a20 = default, a21 = default, a30 = default, a31 = default;
        float* x0 = X, x1 = X + K, x2 = x1 + K, x3 = x2 + K;
        int rows = M;
        byte* w = W + (long)j * TElem.Size;
        long stride = (long)N * TElem.Size;
        for (int p = 0; p < K; p++, w += stride)
        {
            Vector256<float> w0 = TElem.Load8(w, 0), w1 = TElem.Load8(w, 8);
            Vector256<float> xr = Vector256.Create(x0[p]);
            a00 = Fma.MultiplyAdd(xr, w0, a00); a01 = Fma.MultiplyAdd(xr, w1, a01);
            if (rows > 1)
            {
                xr = Vector256.Create(x1[p]);
                a10 = Fma.MultiplyAdd(xr, w0, a10); a11 = Fma.MultiplyAdd(xr, w1, a11);
                if (rows > 2)
                {
                    xr = Vector256.Create(x2[p]);
                    a20 = Fma.MultiplyAdd(xr, w0, a20); a21 = Fma.MultiplyAdd(xr, w1, a21);
                    if (rows > 3)
                    {
                        xr = Vector256.Create(x3[p]);
                        a30 = Fma.MultiplyAdd(xr, w0, a30); a31 = Fma.MultiplyAdd(xr, w1, a31);
                    }
                }
            }
        }
        Finish8(0, j, a00); Finish8(0, j + 8, a01);
        if (rows > 1) { Finish8(1, j, a10); Finish8(1, j + 8, a11); }
        if (rows > 2) { Finish8(2, j, a20); Finish8(2, j + 8, a21); }
        if (rows > 3) { Finish8(3, j, a30); Finish8(3, j + 8, a31); }
    }

    /// <summary>InOut, one leftover column (n not a multiple of 16).</summary>
    readonly void InOutColumn(int j)
    {
        for (int r = 0; r < M; r++)
        {
            float sum = 0f;
            float* x = X + (long)r * K;
            for (int p = 0; p < K; p++) sum = MathF.FusedMultiplyAdd(x[p], TElem.Load1(W, (nint)p * N + j), sum);
            Finish1(r, j, sum);
        }
    }

    /// <summary>OutIn [n, k]: output j is the dot product of stored row j with each row of x.</summary>
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

    /// <summary>y[r, j .. j+7] = sum (+ bias) (+ y).</summary>
    readonly void Finish8(int r, int j, Vector256<float> sum)
    {
        float* y = Y + (long)r * N + j;
        if (Bias != null) sum += Vector256.Load(Bias + j);
        if (Accumulate) sum += Vector256.Load(y);
        sum.Store(y);
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

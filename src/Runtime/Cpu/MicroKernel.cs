using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HeadPursuit.Runtime.Cpu;

/// <summary>
/// The innermost step of the blocked GEMM: C[6, 16] += A[6, kc] · B[kc, 16], where A and B are packed
/// micro-panels (A: kc groups of 6 row values; B: kc rows of 16 column values) and C is a tile of the
/// row-major output with row stride ldc.
///
/// 6 x 16 fits AVX2's 16 ymm registers: 12 accumulators (6 rows x 2 vectors of 8), 2 for the B row and 1
/// for a broadcast A value. Per k step it does 12 independent FMAs, enough to keep Zen 3's two FMA pipes
/// (latency 4) busy, for 8 loads.
///
/// The AVX-512 kernel computes a 6 x 32 tile from two adjacent 16-column micro-panels of B (the packing is the
/// same for both families): 12 zmm accumulators (6 rows x 2 vectors of 16), twice the work per instruction.
/// All kernels add the products into each output in the order p = 0, 1, ..., kc-1, one FMA each, so they agree
/// bit for bit.
/// </summary>
internal static unsafe class MicroKernel
{
    public const int MR = 6;
    public const int NR = 16;

    /// <summary>The AVX2 + FMA kernel (callers check <see cref="Fma.IsSupported"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Fma6x16(int kc, float* a, float* b, float* c, nint ldc)
    {
        float* c0 = c, c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc, c4 = c3 + ldc, c5 = c4 + ldc;
        Vector256<float> c00 = Vector256.Load(c0), c01 = Vector256.Load(c0 + 8);
        Vector256<float> c10 = Vector256.Load(c1), c11 = Vector256.Load(c1 + 8);
        Vector256<float> c20 = Vector256.Load(c2), c21 = Vector256.Load(c2 + 8);
        Vector256<float> c30 = Vector256.Load(c3), c31 = Vector256.Load(c3 + 8);
        Vector256<float> c40 = Vector256.Load(c4), c41 = Vector256.Load(c4 + 8);
        Vector256<float> c50 = Vector256.Load(c5), c51 = Vector256.Load(c5 + 8);
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b), b1 = Vector256.Load(b + 8);
            Vector256<float> ai = Vector256.Create(a[0]);
            c00 = Fma.MultiplyAdd(ai, b0, c00); c01 = Fma.MultiplyAdd(ai, b1, c01);
            ai = Vector256.Create(a[1]);
            c10 = Fma.MultiplyAdd(ai, b0, c10); c11 = Fma.MultiplyAdd(ai, b1, c11);
            ai = Vector256.Create(a[2]);
            c20 = Fma.MultiplyAdd(ai, b0, c20); c21 = Fma.MultiplyAdd(ai, b1, c21);
            ai = Vector256.Create(a[3]);
            c30 = Fma.MultiplyAdd(ai, b0, c30); c31 = Fma.MultiplyAdd(ai, b1, c31);
            ai = Vector256.Create(a[4]);
            c40 = Fma.MultiplyAdd(ai, b0, c40); c41 = Fma.MultiplyAdd(ai, b1, c41);
            ai = Vector256.Create(a[5]);
            c50 = Fma.MultiplyAdd(ai, b0, c50); c51 = Fma.MultiplyAdd(ai, b1, c51);
            a += MR;
            b += NR;
        }
        c00.Store(c0); c01.Store(c0 + 8);
        c10.Store(c1); c11.Store(c1 + 8);
        c20.Store(c2); c21.Store(c2 + 8);
        c30.Store(c3); c31.Store(c3 + 8);
        c40.Store(c4); c41.Store(c4 + 8);
        c50.Store(c5); c51.Store(c5 + 8);
    }

    /// <summary>
    /// C[6, 32] += A[6, kc] · [B0 | B1] with B0 and B1 two packed 16-column micro-panels ([kc][16] each): the
    /// AVX-512 kernel (callers check <see cref="CpuSimd.Best"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Avx512Fma6x32(int kc, float* a, float* b0, float* b1, float* c, nint ldc)
    {
        float* c0 = c, c1 = c + ldc, c2 = c1 + ldc, c3 = c2 + ldc, c4 = c3 + ldc, c5 = c4 + ldc;
        Vector512<float> c00 = Vector512.Load(c0), c01 = Vector512.Load(c0 + 16);
        Vector512<float> c10 = Vector512.Load(c1), c11 = Vector512.Load(c1 + 16);
        Vector512<float> c20 = Vector512.Load(c2), c21 = Vector512.Load(c2 + 16);
        Vector512<float> c30 = Vector512.Load(c3), c31 = Vector512.Load(c3 + 16);
        Vector512<float> c40 = Vector512.Load(c4), c41 = Vector512.Load(c4 + 16);
        Vector512<float> c50 = Vector512.Load(c5), c51 = Vector512.Load(c5 + 16);
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> v0 = Vector512.Load(b0), v1 = Vector512.Load(b1);
            Vector512<float> ai = Vector512.Create(a[0]);
            c00 = Avx512F.FusedMultiplyAdd(ai, v0, c00); c01 = Avx512F.FusedMultiplyAdd(ai, v1, c01);
            ai = Vector512.Create(a[1]);
            c10 = Avx512F.FusedMultiplyAdd(ai, v0, c10); c11 = Avx512F.FusedMultiplyAdd(ai, v1, c11);
            ai = Vector512.Create(a[2]);
            c20 = Avx512F.FusedMultiplyAdd(ai, v0, c20); c21 = Avx512F.FusedMultiplyAdd(ai, v1, c21);
            ai = Vector512.Create(a[3]);
            c30 = Avx512F.FusedMultiplyAdd(ai, v0, c30); c31 = Avx512F.FusedMultiplyAdd(ai, v1, c31);
            ai = Vector512.Create(a[4]);
            c40 = Avx512F.FusedMultiplyAdd(ai, v0, c40); c41 = Avx512F.FusedMultiplyAdd(ai, v1, c41);
            ai = Vector512.Create(a[5]);
            c50 = Avx512F.FusedMultiplyAdd(ai, v0, c50); c51 = Avx512F.FusedMultiplyAdd(ai, v1, c51);
            a += MR;
            b0 += NR;
            b1 += NR;
        }
        c00.Store(c0); c01.Store(c0 + 16);
        c10.Store(c1); c11.Store(c1 + 16);
        c20.Store(c2); c21.Store(c2 + 16);
        c30.Store(c3); c31.Store(c3 + 16);
        c40.Store(c4); c41.Store(c4 + 16);
        c50.Store(c5); c51.Store(c5 + 16);
    }

    /// <summary>
    /// The portable kernel, for CPUs without AVX2/FMA, and the slow obvious twin of <see cref="Fma6x16"/> and <see cref="Avx512Fma6x32"/>:
    /// the same fused multiply-adds in the same order, so the two agree bit for bit.
    /// </summary>
    public static void Scalar6x16(int kc, float* a, float* b, float* c, nint ldc)
    {
        for (int p = 0; p < kc; p++)
            for (int r = 0; r < MR; r++)
                for (int j = 0; j < NR; j++)
                    c[r * ldc + j] = MathF.FusedMultiplyAdd(a[p * MR + r], b[p * NR + j], c[r * ldc + j]);
    }
}

using System.Runtime.Intrinsics;

namespace HeadPursuit.Runtime.Cpu;

/// <summary>
/// Copies blocks of the GEMM operands into the order the micro-kernel reads them, so its inner loop walks
/// memory strictly forward. Rows or columns past the edge of the matrix are filled with zeros, so every
/// tile can run the full-size kernel.
/// </summary>
internal static unsafe class Packing
{
    /// <summary>
    /// Packs x[rows i0 .. i0+mc, cols p0 .. p0+kc] (x is row-major [m, k]) into micro-panels of MR rows:
    /// dst = [ceil(mc / MR)][kc][MR], rows at or past m zero. With <paramref name="bf16Pairs"/> (the twin of the
    /// bf16 dot-product kernel) the values are rounded to bf16 and the k positions taken in
    /// <see cref="Bf16Products.PairOrder"/>.
    /// </summary>
    public static void PackA(float* x, int m, int k, int i0, int mc, int p0, int kc, float* dst, bool bf16Pairs)
    {
        const int MR = MicroKernel.MR;
        for (int ir = 0; ir < mc; ir += MR)
        {
            for (int r = 0; r < MR; r++)
            {
                int row = i0 + ir + r;
                float* d = dst + r;
                if (ir + r < mc && row < m)
                {
                    float* s = x + (long)row * k + p0;
                    if (bf16Pairs)
                        for (int p = 0; p < kc; p++) d[p * MR] = Bf16Products.ActivationValue(s[Bf16Products.PairOrder(p, kc)]);
                    else
                        for (int p = 0; p < kc; p++) d[p * MR] = s[p];
                }
                else
                {
                    for (int p = 0; p < kc; p++) d[p * MR] = 0f;
                }
            }
            dst += kc * MR;
        }
    }

    /// <summary>
    /// Packs the weight block B[p0 .. p0+kc, j0 .. j1] (B = the logical [k, n] matrix, whatever the storage
    /// layout) into micro-panels of NR columns: dst = [ceil((j1 - j0) / NR)][kc][NR], columns at or past j1
    /// zero, converted to float32 on the way. With <paramref name="bf16Pairs"/> (a BF16 weight, the twin of the bf16
    /// dot-product kernel) the k positions are taken in <see cref="Bf16Products.PairOrder"/> and subnormals read as zero.
    /// </summary>
    public static void PackB<TElem>(byte* w, WeightLayout layout, int k, int n, int p0, int kc, int j0, int j1, float* dst, bool simd, bool bf16Pairs)
        where TElem : struct, IWeightElement
    {
        const int NR = MicroKernel.NR;
        for (int jp = j0; jp < j1; jp += NR)
        {
            int cols = Math.Min(NR, j1 - jp);
            if (bf16Pairs)
                PackPanelBf16Pairs((ushort*)w, layout, k, n, p0, kc, jp, cols, dst);
            else if (layout == WeightLayout.InOut)
                PackPanelInOut<TElem>(w, n, p0, kc, jp, cols, dst, simd);
            else
                PackPanelOutIn<TElem>(w, k, p0, kc, jp, cols, dst);
            dst += kc * NR;
        }
    }

    /// <summary>A BF16 panel for the bf16 dot-product twin: element (p, j) of the panel is W[p0 + PairOrder(p), jp + j] as the instruction reads it.</summary>
    static void PackPanelBf16Pairs(ushort* w, WeightLayout layout, int k, int n, int p0, int kc, int jp, int cols, float* dst)
    {
        const int NR = MicroKernel.NR;
        for (int p = 0; p < kc; p++)
        {
            long source = p0 + Bf16Products.PairOrder(p, kc);
            for (int j = 0; j < NR; j++)
                dst[p * NR + j] = j >= cols ? 0f
                    : Bf16Products.WeightValue(layout == WeightLayout.InOut ? w[source * n + jp + j] : w[(long)(jp + j) * k + source]);
        }
    }

    /// <summary>InOut storage [k, n]: row p of the panel is 16 contiguous stored elements.</summary>
    static void PackPanelInOut<TElem>(byte* w, int n, int p0, int kc, int jp, int cols, float* dst, bool simd)
        where TElem : struct, IWeightElement
    {
        const int NR = MicroKernel.NR;
        for (int p = 0; p < kc; p++)
        {
            byte* row = w + ((long)(p0 + p) * n + jp) * TElem.Size;
            float* d = dst + p * NR;
            if (simd && cols == NR)
            {
                TElem.Load8(row, 0).Store(d);
                TElem.Load8(row, 8).Store(d + 8);
            }
            else
            {
                for (int j = 0; j < cols; j++) d[j] = TElem.Load1(row, j);
                for (int j = cols; j < NR; j++) d[j] = 0f;
            }
        }
    }

    /// <summary>OutIn storage [n, k]: column j of the panel is a contiguous run of stored row j.</summary>
    static void PackPanelOutIn<TElem>(byte* w, int k, int p0, int kc, int jp, int cols, float* dst)
        where TElem : struct, IWeightElement
    {
        const int NR = MicroKernel.NR;
        for (int j = 0; j < NR; j++)
        {
            float* d = dst + j;
            if (j < cols)
            {
                byte* row = w + ((long)(jp + j) * k + p0) * TElem.Size;
                for (int p = 0; p < kc; p++) d[p * NR] = TElem.Load1(row, p);
            }
            else
            {
                for (int p = 0; p < kc; p++) d[p * NR] = 0f;
            }
        }
    }
}

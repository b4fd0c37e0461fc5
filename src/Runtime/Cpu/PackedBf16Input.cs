namespace HeadPursuit.Runtime.Cpu;

/// <summary>
/// x rounded to bf16 and packed once per bf16 dot-product matmul (<see cref="Bf16Gemm"/>), shared by all threads, by
/// the native kernel. Layout: the k slice starting at p0 (even; width kc, kp = ceil(kc / 2) pairs) starts at
/// <c>Data + p0 / 2 * PaddedRows</c>; in it, rows r .. r+5 form the micro-panel at <c>+ r * kp</c> ([kp][6] pairs).
/// One parallel index packs one block of MC rows for every k slice.
/// </summary>
internal unsafe struct PackedBf16Input : IParallelBody
{
    public float* X;            // [M, K] row-major
    public uint* Data;          // [ceil(K / 2), PaddedRows] pairs in the panel order above
    public int M, K, KC, MC;

    public readonly int PaddedRows => (M + Bf16Gemm.MR - 1) / Bf16Gemm.MR * Bf16Gemm.MR;
    public readonly long Pairs => (long)(K + 1) / 2 * PaddedRows;
    public readonly int Items => (M + MC - 1) / MC;

    /// <summary>The micro-panels of rows row.. in the k slice starting at p0 of width kc.</summary>
    public readonly uint* Panel(int p0, int kc, int row) => Data + (long)p0 / 2 * PaddedRows + (long)row * ((kc + 1) / 2);

    public readonly void Run(int item)
    {
        int i0 = item * MC, i1 = Math.Min(PaddedRows, i0 + MC);
        for (int p0 = 0; p0 < K; p0 += KC)
        {
            int kc = Math.Min(KC, K - p0);
            for (int r = i0; r < i1; r += Bf16Gemm.MR)
                NativeBf16Kernels.PackA(X + (long)r * K + p0, K, Math.Clamp(M - r, 0, Bf16Gemm.MR), kc, Panel(p0, kc, r));
        }
    }
}

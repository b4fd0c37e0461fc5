namespace HeadPursuit.Runtime.Cpu;

/// <summary>
/// x rounded to bf16 and packed once per bf16 dot-product matmul (<see cref="Bf16Gemm"/>), shared by all threads, by
/// the native kernel. Layout: k is cut into slices of KC (even; the last may be narrower), slice s holding one
/// micro-panel per 6 rows of x; a micro-panel of a slice of kp = ceil(kc / 2) pairs is [ceil(kp / 16)][6][16] pairs
/// (<see cref="PanelPairs"/>: groups of 16 pairs, each row's 16 pairs together, the last group padded).
/// One parallel index packs one block of MC rows for every k slice.
/// </summary>
internal unsafe struct PackedBf16Input : IParallelBody
{
    /// <summary>Pairs per group of a micro-panel.</summary>
    public const int Group = 16;

    public float* X;            // [M, K] row-major
    public uint* Data;          // [slices][PaddedRows / 6][PanelPairs(kp of the slice)] pairs
    public int M, K, KC, MC;

    public readonly int PaddedRows => (M + Bf16Gemm.MR - 1) / Bf16Gemm.MR * Bf16Gemm.MR;
    readonly int Slices => (K + KC - 1) / KC;
    /// <summary>Room for every slice as if each were KC wide.</summary>
    public readonly long Pairs => (long)Slices * (PaddedRows / Bf16Gemm.MR) * PanelPairs((KC + 1) / 2);
    public readonly int Items => (M + MC - 1) / MC;

    /// <summary>Pairs in one micro-panel of a slice of <paramref name="kp"/> pairs: whole groups of 16, times 6 rows.</summary>
    public static int PanelPairs(int kp) => (kp + Group - 1) / Group * Group * Bf16Gemm.MR;

    /// <summary>The micro-panels of rows row.. (a multiple of 6) in the k slice starting at p0 (a multiple of KC) of width kc.</summary>
    public readonly uint* Panel(int p0, int kc, int row) =>
        Data + (long)(p0 / KC) * (PaddedRows / Bf16Gemm.MR) * PanelPairs((KC + 1) / 2) + (long)(row / Bf16Gemm.MR) * PanelPairs((kc + 1) / 2);

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

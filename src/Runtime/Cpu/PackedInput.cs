namespace HeadPursuit.Runtime.Cpu;

/// <summary>
/// Packs all of x once per blocked matmul, before the column blocks start, so the threads share one
/// packed copy instead of each repacking it. Layout: for the k slice starting at p0 (width kc), rows
/// r .. r+5 form the micro-panel at <c>Data + p0 * PaddedRows + r * kc</c> ([kc][6] floats), PaddedRows
/// being m rounded up to a multiple of 6. One parallel index packs one block of MC rows for every k slice.
/// With Bf16Pairs, x is rounded to bf16 and each k slice is packed in <see cref="Bf16Products.PairOrder"/>.
/// </summary>
internal unsafe struct PackedInput : IParallelBody
{
    public float* X;            // [M, K] row-major
    public float* Data;         // [K, PaddedRows] in the panel order above
    public int M, K, KC, MC;
    public bool Bf16Pairs;

    public readonly int PaddedRows => (M + MicroKernel.MR - 1) / MicroKernel.MR * MicroKernel.MR;
    public readonly long Floats => (long)K * PaddedRows;
    public readonly int Items => (M + MC - 1) / MC;

    /// <summary>The micro-panel of rows row .. row+5 in the k slice starting at p0 of width kc.</summary>
    public readonly float* Panel(int p0, int kc, int row) => Data + (long)p0 * PaddedRows + (long)row * kc;

    public readonly void Run(int item)
    {
        int i0 = item * MC, mc = Math.Min(MC, PaddedRows - i0);
        for (int p0 = 0; p0 < K; p0 += KC)
        {
            int kc = Math.Min(KC, K - p0);
            Packing.PackA(X, M, K, i0, mc, p0, kc, Panel(p0, kc, i0), Bf16Pairs);
        }
    }
}

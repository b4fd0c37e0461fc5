using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace HeadPursuit.Somp;

/// <summary>
/// The SOMP atoms as the solvers (<see cref="SompFast"/>, the CUDA one) read them: the dictionary's float rows as
/// given plus one float64 scale per row (1 / l2 norm, or 1), so atom_j = Scale[j] * Rows[j] in float64 without storing
/// a float64 copy (half the memory traffic per pass over a 50k-row vocabulary).
/// </summary>
internal sealed class AtomRows
{
    public float[] Rows { get; }    // [v, dm]
    public double[] Scale { get; }  // [v]
    public int Count { get; }
    public int Dim { get; }

    public AtomRows(AtomSet dictionary, bool normalize)
    {
        Rows = dictionary.Rows; Count = dictionary.Count; Dim = dictionary.Dim;
        Scale = new double[Count];
        for (int j = 0; j < Count; j++)
        {
            if (!normalize) { Scale[j] = 1; continue; }
            double norm = 0;
            foreach (float x in Rows.AsSpan(j * Dim, Dim)) norm += (double)x * x;
            if (norm == 0) throw new ArgumentException($"dictionary row {j} (token {dictionary.TokenIds[j]}) is all zeros and cannot be normalised");
            Scale[j] = 1 / Math.Sqrt(norm);
        }
    }

    /// <summary>Atoms first..first+count-1 in float64: dst [count, dm].</summary>
    public void CopyRows(int first, int count, Span<double> dst)
    {
        for (int r = 0; r < count; r++)
        {
            var src = Rows.AsSpan((first + r) * Dim, Dim);
            var row = dst.Slice(r * Dim, Dim);
            double s = Scale[first + r];
            for (int m = 0; m < Dim; m++) row[m] = src[m] * s;
        }
    }

    /// <summary>
    /// atom_j . q in float64 (q [dm]), the float row widened 16 values at a time (8 without AVX-512): two chains of
    /// FMAs, one for the first 8 values of every 16 and one for the last 8, whichever path runs (so both give the same
    /// bits). With AVX-512 each 8 floats are loaded and converted by one instruction each (Vector512.Widen of 16
    /// floats costs twice the time of reading the row from memory).
    /// </summary>
    public unsafe double Dot(int j, ReadOnlySpan<double> q)
    {
        if (q.Length < Dim) throw new ArgumentException($"q has {q.Length} values, atoms have {Dim}");
        var acc0 = Vector256<double>.Zero;
        var acc1 = Vector256<double>.Zero;
        int m = 0;
        double sum;
        fixed (float* row = &Rows[(long)j * Dim])
        fixed (double* qp = q)
        {
            if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported)
            {
                var wide0 = Vector512<double>.Zero;
                var wide1 = Vector512<double>.Zero;
                for (; m + 16 <= Dim; m += 16)
                {
                    wide0 = Avx512F.FusedMultiplyAdd(Avx512F.ConvertToVector512Double(Avx.LoadVector256(row + m)), Vector512.Load(qp + m), wide0);
                    wide1 = Avx512F.FusedMultiplyAdd(Avx512F.ConvertToVector512Double(Avx.LoadVector256(row + m + 8)), Vector512.Load(qp + m + 8), wide1);
                }
                var wide = wide0 + wide1;
                acc0 = wide.GetLower();
                acc1 = wide.GetUpper();
            }
            for (; m + 8 <= Dim; m += 8)
            {
                var (lo, hi) = Vector256.Widen(Vector256.Load(row + m));
                acc0 = Vector256.FusedMultiplyAdd(lo, Vector256.Load(qp + m), acc0);
                acc1 = Vector256.FusedMultiplyAdd(hi, Vector256.Load(qp + m + 4), acc1);
            }
            sum = Vector256.Sum(acc0 + acc1);
            for (; m < Dim; m++) sum += row[m] * qp[m];
        }
        return sum * Scale[j];
    }
}

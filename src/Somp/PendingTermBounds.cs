using System.Numerics.Tensors;

namespace HeadPursuit.Somp;

/// <summary>
/// Upper bounds on the scores of the rows of P that <see cref="SompFastHead"/> leaves stale. Row j was last brought up
/// to date with computed score S_j (= fl(sum_i |p_i|), p its stored row); since then it has pending terms u (applied
/// in order by a refresh, one FMA each: x = p - sum_u c_u s_u, with c_u = atom_j . q_u and s_u [n] the stored
/// vectors). Two bounds, each kept up to date in O(pending terms) per new term; the smaller is used:
///
/// Triangle: ||p - sum_u c_u s_u||_1 &lt;= ||p||_1 + T1_j with T1_j = sum_u |c_u| ||s_u||_1; B1 = (S_j + T1_j)(1 + k).
///
/// Euclidean: ||sum_u c_u s_u||_1 &lt;= sqrt(n) ||sum_u c_u s_u||_2 (Cauchy-Schwarz), and
/// ||sum_u c_u s_u||_2^2 = sum_{u,w} c_u c_w G[u, w] with G the Gram matrix of the s vectors. Terms that partly cancel
/// (signs of c_u differing, s_u not orthogonal) add in quadrature here instead of in full, so after a few terms this
/// bound is the tighter one (on the bench's problem it cut the rows refreshed per head from 280k to 106k). Kept per
/// row: Q_j = fl(sum_{u,w} c_u c_w Ĝ[u, w]), grown by c_t (2 sum_u c_u Ĝ[u, t] + c_t Ĝ[t, t]) per new term t, and
/// T2_j = sum_u |c_u| ||s_u||_2. B2 = (S_j + sqrt(n) sqrt(Q_j + k T2_j^2) + k (S_j + T1_j))(1 + k).
///
/// Proof that B1 and B2 are at least the score a refresh computes, with u = 2^-53, gamma_m = m u / (1 - m u),
/// k = <see cref="Margin"/> = 4 (n + 2 N + 16) u (N: iterations) and all quantities as computed unless said exact:
/// - ||p||_1 &lt;= S / (1 - gamma_n) (S sums n magnitudes, in any order); exact T1 &lt;= T1 (1 + gamma_N).
/// - A refresh computes each x_i by at most N FMAs from p_i, so sum_i |fl(x_i) - x_i| &lt;= gamma_N (||p||_1 + exact T1),
///   and sums the magnitudes with a relative error gamma_n. So the computed score is at most
///   (1 + gamma_n) (||p||_1 + ||sum_u c_u s_u||_1 + gamma_N (||p||_1 + exact T1)).
/// - B1: with ||sum_u c_u s_u||_1 &lt;= exact T1, that is at most (S + T1)(1 + gamma_n)(1 + gamma_N)^2 / (1 - gamma_n),
///   and (1 + k) is more than that factor times the few roundings in evaluating B1.
/// - B2: Ĝ[u, w] = G[u, w] + e with |e| &lt;= gamma_n sum_i |s_ui s_wi| &lt;= gamma_n ||s_u|| ||s_w|| (a dot product of n
///   terms, in any order); Q, a sum of at most 2 N + 4 rounded products per entry, differs from sum c_u c_w Ĝ[u, w] by
///   at most gamma_{2N+4} sum |c_u c_w Ĝ[u, w]| &lt;= gamma_{2N+4} (1 + gamma_n) T2^2. So the exact
///   ||sum_u c_u s_u||_2^2 &lt;= Q + (gamma_n + 2 gamma_{2N+4}) T2^2 &lt;= Q + k T2^2 (k also covers T2 and ||s_u||_2 being
///   computed: relative errors gamma_{n+N+2}, squared). With 2 gamma_N &lt;= k, the computed score is at most
///   (1 + gamma_n) / (1 - gamma_n) (S + sqrt(n) sqrt(Q + k T2^2) + k (S + T1)), and (1 + k) covers that factor and
///   the roundings in evaluating B2.
/// - Range: the steps above take every rounding as relative. Below the normal range an operation errs instead by up to
///   2^-1075, absolutely; a row's refresh and sums take at most (n + 2)(N + 2) operations, so both bounds add
///   Tiny = (n + 2)(N + 2) 2^-1074. Q's products could underflow or overflow when the s vectors do, so B2 is used only
///   while every pending s_u has ||s_u||_2 = 0 or within [1e-140, 1e140] and T2 &gt;= 1e-130 (its relative analysis holds
///   there: n 2^-1074 is far below gamma_n ||s_u|| ||s_w||, and N^2 2^-1074 far below k T2^2); otherwise, or if it is
///   not a number, B1 alone.
/// A row whose bound is below the best exact score therefore cannot be the best (nor tie it), so the choice is the one
/// computing every row would give. PendingTermBoundsTests checks both bounds against refreshes computed the same way,
/// on random and on nearly cancelling terms.
/// </summary>
sealed class PendingTermBounds
{
    const double Unit = 1.0 / (1L << 53);   // u, the unit roundoff of float64
    readonly int _n, _iterations;
    readonly double _sqrtN, _margin, _tiny;
    readonly Row[] _rows;          // [v]
    readonly double[] _gram;       // Ĝ [iterations, iterations]: row t holds s_u . s_t for u &lt;= t
    readonly double[] _l1;         // [iterations]: ||s_t||_1
    readonly double[] _l2;         // [iterations]: ||s_t||_2
    readonly bool[] _inRange;      // [iterations]: ||s_t||_2 is 0 or within [1e-140, 1e140] (see Range above)

    public PendingTermBounds(int rows, int samples, int iterations)
    {
        _n = samples; _iterations = iterations;
        _sqrtN = Math.Sqrt(samples);
        _margin = Margin(samples, iterations);
        _tiny = (samples + 2.0) * (iterations + 2.0) * double.Epsilon;
        _rows = new Row[rows];
        _gram = new double[iterations * iterations];
        _l1 = new double[iterations];
        _l2 = new double[iterations];
        _inRange = new bool[iterations];
    }

    /// <summary>k of the proof above: 4 (n + 2 N + 16) u.</summary>
    public static double Margin(int samples, int iterations) => 4.0 * (samples + 2.0 * iterations + 16) * Unit;

    /// <summary>An upper bound on row j's score with every recorded term applied.</summary>
    public double Upper(int j) => _rows[j].Upper;

    /// <summary>Row j is up to date with computed score <paramref name="score"/>: no pending terms.</summary>
    public void SetExact(int j, double score) => _rows[j] = new Row { Upper = score };

    /// <summary>
    /// The vector s_t of term t has been stored: its norms and its dot products with the earlier ones.
    /// s: S^T [iterations, n], rows 0..t filled.
    /// </summary>
    public void AddTerm(int t, ReadOnlySpan<double> s)
    {
        var st = s.Slice(t * _n, _n);
        _l1[t] = TensorPrimitives.SumOfMagnitudes(st);
        for (int u = 0; u <= t; u++) _gram[t * _iterations + u] = TensorPrimitives.Dot(s.Slice(u * _n, _n), st);
        _l2[t] = Math.Sqrt(_gram[t * _iterations + t]);
        _inRange[t] = _l2[t] == 0 || (_l2[t] >= 1e-140 && _l2[t] <= 1e140);
    }

    /// <summary>
    /// Records term t, with coefficient <paramref name="c"/>, for row j, whose exact score is <paramref name="score"/>
    /// (S_j) and whose earlier pending terms have coefficients <paramref name="pending"/> (c_u for
    /// u = t - pending.Length .. t - 1, in order).
    /// </summary>
    public unsafe void Record(int j, int t, double c, double score, ReadOnlySpan<double> pending)
    {
        ref var row = ref _rows[j];
        double cross;   // sum_u c_u Ĝ[u, t], in four partial sums (the proof allows any order)
        fixed (double* cu = pending, g = &_gram[t * _iterations + t - pending.Length])
        {
            double c0 = 0, c1 = 0, c2 = 0, c3 = 0;
            int u = 0;
            for (; u + 4 <= pending.Length; u += 4)
            {
                c0 += cu[u] * g[u]; c1 += cu[u + 1] * g[u + 1];
                c2 += cu[u + 2] * g[u + 2]; c3 += cu[u + 3] * g[u + 3];
            }
            for (; u < pending.Length; u++) c0 += cu[u] * g[u];
            cross = (c0 + c1) + (c2 + c3);
        }
        row.L1Sum += Math.Abs(c) * _l1[t];
        row.L2Sum += Math.Abs(c) * _l2[t];
        row.Square = _inRange[t] ? row.Square + c * (2 * cross + c * _gram[t * _iterations + t]) : double.PositiveInfinity;
        double triangle = (score + row.L1Sum) * (1 + _margin) + _tiny;
        double euclidean = row.L2Sum >= 1e-130 && double.IsFinite(row.Square)
            ? (score + _sqrtN * Math.Sqrt(Math.Max(row.Square, 0) + _margin * row.L2Sum * row.L2Sum) + _margin * (score + row.L1Sum)) * (1 + _margin) + _tiny
            : double.PositiveInfinity;
        row.Upper = euclidean < triangle ? euclidean : triangle;   // not Math.Min: a NaN B2 must give B1
    }

    /// <summary>One row's sums over its pending terms and its bound, side by side (one cache line or two per row).</summary>
    struct Row
    {
        public double L1Sum;    // T1_j
        public double L2Sum;    // T2_j
        public double Square;   // Q_j (infinite once a term out of range is pending)
        public double Upper;    // min(B1, B2), or S_j with no pending term
    }
}

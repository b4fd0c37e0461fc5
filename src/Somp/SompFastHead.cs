using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace HeadPursuit.Somp;

/// <summary>
/// The state of one head inside <see cref="SompFast"/>. Works in the d_head space (H = Zc W_O^T is never formed):
///   P = atoms R^T [v, n] is kept and receives one rank-one term per iteration, lazily: a row is brought up to date
///   (its pending terms applied in order, the same arithmetic as applying each at once) only when the upper bound on
///   its score, last exact score + sum over pending terms of |c_u| ||s_u||_1, says it could be the best;
///   the selected atoms are orthonormalised incrementally (Q, R of a QR factorisation, modified Gram-Schmidt
///   applied twice: each projection is taken off the already updated vector), and the EVR comes from the running sum
///   of the explained squared norms.
/// </summary>
sealed class SompFastHead
{
    readonly int _n, _dh, _dm, _v, _iterations;
    readonly double[] _zc;      // Zc [n, dh]: centred pooled z
    readonly double[] _zcT;     // Zc^T [dh, n]
    readonly double[] _wo;      // W_O [dm, dh]
    readonly double _total;     // ||Zc W_O^T||_F^2
    readonly double[] _p;       // P [v, n] = atoms R_t^T
    readonly double[] _scores;  // [v]: sum_i |P[j, i]| when row j was last brought up to date
    readonly double[] _upper;   // [v]: an upper bound on row j's score with every term applied
    readonly int[] _applied;    // [v]: how many rank-one terms row j has received
    readonly double[] _c;       // C [v, iterations - 1]: c_u[j] = atom_j . q_u, the coefficient of term u in row j (a row's side by side)
    int _terms;                 // rank-one terms recorded so far
    double _newestL1;           // ||s_t||_1 of the newest selection
    readonly bool[] _taken;     // [v]
    readonly double[] _q;       // Q^T [iterations, dm]: orthonormal basis of the selected atoms, one per row
    readonly double[] _r;       // R [iterations, iterations] upper triangular: atom_c = sum_u R[u, c] q_u
    readonly double[] _s;       // S^T [iterations, n]: s_t = Hc q_t (= R_{t-1} q_t)
    readonly List<int> _selected = [];
    readonly List<(int Row, double NegativeBound)> _candidateBuffer = [];   // Choose's scratch
    readonly double[] _evr;     // [iterations]
    double _explained;
    double _firstBest;          // the best score of iteration 0, the scale of SompChecks.NoiseScoreFraction

    public bool ZeroVariance => _total == 0;
    /// <summary>P's buffer (empty when none), for <see cref="CorrelationBuffers.Keep"/> once the run is over.</summary>
    public double[] Correlations => _p;
    public int DHead => _dh;
    public bool Done => ZeroVariance || _selected.Count == _iterations;
    /// <summary>The newest basis vector q_t [dm] (valid after <see cref="Select"/>).</summary>
    public ReadOnlySpan<double> NewestDirection => _q.AsSpan((_selected.Count - 1) * _dm, _dm);

    public SompFastHead(SompHead head, int atoms, int iterations, bool center)
    {
        _n = head.Samples; _dh = head.DHead; _dm = head.DModel; _v = atoms; _iterations = iterations;
        if ((long)_v * _n > Array.MaxLength)
            throw new ArgumentException($"P [v={_v}, n={_n}] is too large for one array; split the samples");
        _zc = Centring.Of(head.Z, _n, _dh, center);
        _zcT = new double[_dh * _n];
        for (int i = 0; i < _n; i++)
            for (int e = 0; e < _dh; e++) _zcT[e * _n + i] = _zc[i * _dh + e];
        _wo = new double[_dm * _dh];
        for (int i = 0; i < _wo.Length; i++) _wo[i] = head.OutputBlock[i];
        _total = SquaredNormOfOutputs();
        _evr = new double[iterations];
        _p = ZeroVariance ? [] : CorrelationBuffers.Rent(_v * _n);   // InitBlock writes every row
        _scores = new double[_v];
        _upper = ZeroVariance ? [] : new double[_v];
        _applied = _upper.Length == 0 ? [] : new int[_v];
        _c = _upper.Length == 0 ? [] : new double[(long)_v * (iterations - 1)];
        _taken = new bool[_v];
        _q = new double[iterations * _dm];
        _r = new double[iterations * iterations];
        _s = new double[iterations * _n];
    }

    /// <summary>||Zc W_O^T||_F^2 = sum_i z_i^T (W_O^T W_O) z_i.</summary>
    double SquaredNormOfOutputs()
    {
        var m = new double[_dh * _dh]; // W_O^T W_O [dh, dh]
        for (int k = 0; k < _dm; k++)
        {
            var row = _wo.AsSpan(k * _dh, _dh);
            for (int e = 0; e < _dh; e++) TensorPrimitives.MultiplyAdd(row, row[e], m.AsSpan(e * _dh, _dh), m.AsSpan(e * _dh, _dh));
        }
        var mz = new double[_dh]; // [dh]
        double total = 0;
        for (int i = 0; i < _n; i++)
        {
            var z = _zc.AsSpan(i * _dh, _dh);
            for (int e = 0; e < _dh; e++) mz[e] = TensorPrimitives.Dot(m.AsSpan(e * _dh, _dh), z);
            total += TensorPrimitives.Dot(z, mz);
        }
        return total;
    }

    /// <summary>
    /// Rows first..first+count-1 of P0 = (atoms W_O) Zc^T and their scores.
    /// atoms: those atoms in float64 [count, dm]; a: scratch [count, dh].
    /// </summary>
    public void InitBlock(int first, int count, ReadOnlySpan<double> atoms, Span<double> a)
    {
        Float64Gemm.Multiply(atoms, _wo, a, count, _dm, _dh);
        Float64Gemm.Multiply(a, _zcT, _p.AsSpan(first * _n, count * _n), count, _dh, _n);
        for (int j = first; j < first + count; j++)
            _upper[j] = _scores[j] = TensorPrimitives.SumOfMagnitudes((ReadOnlySpan<double>)_p.AsSpan(j * _n, _n));
    }

    /// <summary>
    /// Records term t for row j, P[j, :] -= c s_t with c = atom_j . q_t, without touching the row: only its bound grows
    /// (by |c| ||s_t||_1, the most the term can add to sum_i |P[j, i]|, with a margin for rounding).
    /// </summary>
    public void RecordUpdate(int j, double c)
    {
        _c[(long)j * (_iterations - 1) + _terms] = c;
        _upper[j] = (_upper[j] + Math.Abs(c) * _newestL1) * (1 + 1e-12);
    }

    /// <summary>Closes the pass of <see cref="RecordUpdate"/> over every row.</summary>
    public void EndUpdates() => _terms++;

    /// <summary>
    /// Applies row j's pending terms in order and returns its exact score, in one pass over the row: each stretch of 8
    /// values stays in a register while every pending term is added to it (row += s_u * -c_u, a multiply then an add,
    /// for u in order) and its magnitudes are summed.
    /// </summary>
    unsafe double Refresh(int j)
    {
        int first = _applied[j], count = _terms - first;
        Span<double> coefficient = stackalloc double[Math.Max(count, 1)];   // [pending]: -c_u
        for (int u = 0; u < count; u++) coefficient[u] = -_c[(long)j * (_iterations - 1) + first + u];
        double score;
        fixed (double* row = &_p[(long)j * _n], s = &_s[first * _n])
        {
            var magnitudes = Vector512<double>.Zero;
            int i = 0;
            for (; i + 8 <= _n; i += 8)
            {
                var x = Vector512.Load(row + i);
                double* su = s + i;
                for (int u = 0; u < count; u++, su += _n) x += Vector512.Load(su) * Vector512.Create(coefficient[u]);
                x.Store(row + i);
                magnitudes += Vector512.Abs(x);
            }
            score = Vector512.Sum(magnitudes);
            for (; i < _n; i++)
            {
                double x = row[i];
                for (int u = 0; u < count; u++) x += s[u * _n + i] * coefficient[u];
                row[i] = x;
                score += Math.Abs(x);
            }
        }
        _applied[j] = _terms;
        return _upper[j] = _scores[j] = score;
    }

    /// <summary>
    /// The best untaken atom: largest score, a score at most the noise level counting as 0, first index on ties. Only
    /// rows whose bound reaches the best are brought up to date: first the few with the largest bounds, which sets a
    /// floor; then the other rows whose bound reaches it, largest bound first, in batches, until the next bound falls
    /// below the best exact score found (a lazy greedy choice: a third fewer rows than refreshing every row above the
    /// floor). A row left stale has a bound, hence a score, below the best.
    /// </summary>
    int Choose(double noise)
    {
        const int Few = 8, Batch = 128;
        Span<int> top = stackalloc int[Few];   // untaken rows with the largest bounds, largest first
        int found = 0;
        for (int j = 0; j < _v; j++)
        {
            if (_taken[j] || (found == Few && _upper[j] <= _upper[top[Few - 1]])) continue;
            int at = Math.Min(found, Few - 1);
            while (at > 0 && _upper[top[at - 1]] < _upper[j]) { if (at < Few) top[at] = top[at - 1]; at--; }
            top[at] = j;
            if (found < Few) found++;
        }
        double floor = 0;
        foreach (int j in top[..found])
        {
            double score = Refresh(j);
            floor = Math.Max(floor, score <= noise ? 0 : score);
        }
        for (int j = 0; j < _v; j++)
            if (!_taken[j] && _applied[j] != _terms && _upper[j] >= floor) _candidateBuffer.Add((j, -_upper[j]));
        var candidates = new PriorityQueue<int, double>(_candidateBuffer);   // largest bound first
        _candidateBuffer.Clear();
        double best = floor;
        var batch = new List<int>(Batch);
        while (candidates.TryPeek(out _, out double negativeBound) && -negativeBound >= best)
        {
            batch.Clear();
            while (batch.Count < Batch && candidates.TryPeek(out _, out negativeBound) && -negativeBound >= best) batch.Add(candidates.Dequeue());
            if (batch.Count >= 32) Parallel.ForEach(batch, j => Refresh(j));   // fewer: not worth waking threads
            else foreach (int j in batch) Refresh(j);
            foreach (int j in batch) best = Math.Max(best, _scores[j] <= noise ? 0 : _scores[j]);
        }

        int chosen = -1;
        double chosenScore = double.NegativeInfinity;
        for (int j = 0; j < _v; j++)
        {
            if (_taken[j] || _applied[j] != _terms) continue;   // rows left stale score below the best
            double score = _scores[j] <= noise ? 0 : _scores[j];
            if (score > chosenScore) { chosenScore = score; chosen = j; }
        }
        return chosen;
    }

    /// <summary>
    /// Picks the best unselected atom (first index on ties), orthonormalises it against the selected ones,
    /// computes s_t = Zc (W_O^T q_t) and the EVR.
    /// </summary>
    public void Select(AtomRows atoms)
    {
        int best = Choose(SompChecks.NoiseScoreFraction * _firstBest);
        int t = _selected.Count;
        if (t == 0) _firstBest = _scores[best];
        _selected.Add(best);
        _taken[best] = true;

        var q = _q.AsSpan(t * _dm, _dm);
        atoms.CopyRows(best, 1, q);
        for (int pass = 0; pass < 2; pass++)
            for (int u = 0; u < t; u++)
            {
                var qu = _q.AsSpan(u * _dm, _dm);
                double dot = TensorPrimitives.Dot(qu, q);
                TensorPrimitives.MultiplyAdd(qu, -dot, q, q);
                _r[u * _iterations + t] += dot;
            }
        double norm = TensorPrimitives.Norm((ReadOnlySpan<double>)q);
        if (norm <= SompChecks.DependenceTolerance)
        {
            // Already in the span of the selected atoms (a duplicate row, or every independent atom is taken):
            // it explains nothing more, gets coefficient 0, and the residual and EVR stay as they are.
            q.Clear();
            _evr[t] = _explained / _total;
            _newestL1 = 0;
            return;
        }
        _r[t * _iterations + t] = norm;
        TensorPrimitives.Divide(q, norm, q);

        var y = new double[_dh]; // W_O^T q [dh]
        for (int k = 0; k < _dm; k++) TensorPrimitives.MultiplyAdd(_wo.AsSpan(k * _dh, _dh), q[k], y, y);
        var s = _s.AsSpan(t * _n, _n);
        for (int i = 0; i < _n; i++) s[i] = TensorPrimitives.Dot(_zc.AsSpan(i * _dh, _dh), y);
        _explained += TensorPrimitives.Dot((ReadOnlySpan<double>)s, s);
        _evr[t] = _explained / _total;
        _newestL1 = TensorPrimitives.SumOfMagnitudes((ReadOnlySpan<double>)s);
    }

    public SompResult Result()
    {
        if (ZeroVariance) return SompResult.ZeroVariance(_iterations);
        var (s, r, n, k) = (_s, _r, _n, _iterations);   // not `this`: the result must not keep P alive
        return new SompResult([.. _selected], (double[])_evr.Clone(), () => SompResult.Coefficients(s, r, n, k));
    }
}

using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace HeadPursuit.Somp;

/// <summary>
/// The state of one head inside <see cref="SompFast"/>. Works in the d_head space (H = Zc W_O^T is never formed):
///   P = atoms R^T [v, n] is kept and receives one rank-one term per iteration, lazily: a row is brought up to date
///   (its pending terms applied in order, the same arithmetic as applying each at once) only when an upper bound on
///   its score (<see cref="PendingTermBounds"/>) says it could be the best;
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
    readonly PendingTermBounds _bounds;   // upper bounds on the scores of stale rows
    readonly int[] _applied;    // [v]: how many rank-one terms row j has received
    readonly double[] _c;       // C [v, iterations - 1]: c_u[j] = atom_j . q_u, the coefficient of term u in row j (a row's side by side)
    int _terms;                 // rank-one terms recorded so far
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
        _bounds = new PendingTermBounds(ZeroVariance ? 0 : _v, _n, iterations);
        _applied = ZeroVariance ? [] : new int[_v];
        _c = ZeroVariance ? [] : new double[(long)_v * (iterations - 1)];
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
        {
            _scores[j] = TensorPrimitives.SumOfMagnitudes((ReadOnlySpan<double>)_p.AsSpan(j * _n, _n));
            _bounds.SetExact(j, _scores[j]);
        }
    }

    /// <summary>
    /// Records term t for row j, P[j, :] -= c s_t with c = atom_j . q_t, without touching the row: only its bound grows
    /// (<see cref="PendingTermBounds"/>).
    /// </summary>
    public void RecordUpdate(int j, double c)
    {
        long row = (long)j * (_iterations - 1);
        int first = _applied[j];
        _bounds.Record(j, _terms, c, _scores[j], _c.AsSpan((int)(row + first), _terms - first));
        _c[row + _terms] = c;
    }

    /// <summary>Closes the pass of <see cref="RecordUpdate"/> over every row.</summary>
    public void EndUpdates() => _terms++;

    /// <summary>
    /// Applies row j's pending terms in order and returns its exact score, in one pass over the row: each stretch of 8
    /// values stays in a register while every pending term is added to it (row = fma(s_u, -c_u, row), for u in order)
    /// and its magnitudes are summed (in the order of the stretches). Four stretches are worked on side by side: each
    /// value's chain of FMAs is the same, but four independent chains keep the FMA units busy (one chain waits on the
    /// latency of every FMA).
    /// </summary>
    unsafe double Refresh(int j)
    {
        int first = _applied[j], count = _terms - first;
        Span<double> coefficient = stackalloc double[Math.Max(count, 1)];   // [pending]: -c_u
        for (int u = 0; u < count; u++) coefficient[u] = -_c[(long)j * (_iterations - 1) + first + u];
        double score;
        fixed (double* row = &_p[(long)j * _n], s = &_s[first * _n], c = coefficient)
        {
            var magnitudes = Vector512<double>.Zero;
            int i = 0;
            for (; i + 32 <= _n; i += 32)
            {
                double* x = row + i, su = s + i;
                var x0 = Vector512.Load(x);
                var x1 = Vector512.Load(x + 8);
                var x2 = Vector512.Load(x + 16);
                var x3 = Vector512.Load(x + 24);
                for (int u = 0; u < count; u++, su += _n)
                {
                    var cu = Vector512.Create(c[u]);
                    x0 = Vector512.FusedMultiplyAdd(Vector512.Load(su), cu, x0);
                    x1 = Vector512.FusedMultiplyAdd(Vector512.Load(su + 8), cu, x1);
                    x2 = Vector512.FusedMultiplyAdd(Vector512.Load(su + 16), cu, x2);
                    x3 = Vector512.FusedMultiplyAdd(Vector512.Load(su + 24), cu, x3);
                }
                x0.Store(x); x1.Store(x + 8); x2.Store(x + 16); x3.Store(x + 24);
                magnitudes += Vector512.Abs(x0);
                magnitudes += Vector512.Abs(x1);
                magnitudes += Vector512.Abs(x2);
                magnitudes += Vector512.Abs(x3);
            }
            for (; i + 8 <= _n; i += 8)
            {
                var x = Vector512.Load(row + i);
                double* su = s + i;
                for (int u = 0; u < count; u++, su += _n) x = Vector512.FusedMultiplyAdd(Vector512.Load(su), Vector512.Create(c[u]), x);
                x.Store(row + i);
                magnitudes += Vector512.Abs(x);
            }
            score = Vector512.Sum(magnitudes);
            for (; i < _n; i++)
            {
                double x = row[i];
                for (int u = 0; u < count; u++) x = Math.FusedMultiplyAdd(s[u * _n + i], coefficient[u], x);
                row[i] = x;
                score += Math.Abs(x);
            }
        }
        _applied[j] = _terms;
        _bounds.SetExact(j, score);
        return _scores[j] = score;
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
            if (_taken[j] || (found == Few && _bounds.Upper(j) <= _bounds.Upper(top[Few - 1]))) continue;
            int at = Math.Min(found, Few - 1);
            while (at > 0 && _bounds.Upper(top[at - 1]) < _bounds.Upper(j)) { if (at < Few) top[at] = top[at - 1]; at--; }
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
            if (!_taken[j] && _applied[j] != _terms && _bounds.Upper(j) >= floor) _candidateBuffer.Add((j, -_bounds.Upper(j)));
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
            _bounds.AddTerm(t, _s);   // s_t = 0
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
        _bounds.AddTerm(t, _s);
    }

    public SompResult Result()
    {
        if (ZeroVariance) return SompResult.ZeroVariance(_iterations);
        var (s, r, n, k) = (_s, _r, _n, _iterations);   // not `this`: the result must not keep P alive
        return new SompResult([.. _selected], (double[])_evr.Clone(), () => SompResult.Coefficients(s, r, n, k));
    }
}

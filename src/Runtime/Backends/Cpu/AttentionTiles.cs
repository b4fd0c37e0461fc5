using System.Runtime.CompilerServices;
using HeadPursuit.Runtime.Cpu;

namespace HeadPursuit.Runtime.Backends.Cpu;

/// <summary>
/// The two products of blocked attention, as register tiles written once for every lane width (<see cref="ILanes{TV}"/>):
///   scores  S[i, j] = q_i . k_j         for 4 (or 1) query rows against one block of <see cref="KeyBlock"/> keys, the
///                                       keys transposed (kt [d_head, KeyBlock]) so that each key is a lane;
///   values  O[i, c] += sum_j P[i, j] v_j[c]   for 4 (or 1) rows, each output column a lane, v read from the cache.
/// Each output gets one fused multiply-add per step, in the order d = 0.. (scores) or j = 0.. (values), whatever the
/// width: all families give the same bits.
/// For a handful of query rows, transposing the keys costs more than it saves: <see cref="SixteenLanes.Dot"/> then scores one
/// key at a time, summing in 16 fixed lanes (the same at every width) instead.
/// </summary>
static unsafe class AttentionTiles
{
    /// <summary>Keys per block: a multiple of two vectors of every width.</summary>
    public const int KeyBlock = 64;

    /// <summary>s[4, KeyBlock] (row stride KeyBlock) = q[4, dh] (row stride dh) x kt[dh, KeyBlock].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Scores4<TL, TV>(float* q, int dh, float* kt, float* s) where TL : struct, ILanes<TV> where TV : struct
    {
        int L = TL.Count;
        float* q0 = q, q1 = q0 + dh, q2 = q1 + dh, q3 = q2 + dh;
        for (int c = 0; c < KeyBlock; c += 2 * L)
        {
            TV a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default, a30 = default, a31 = default;
            float* k = kt + c;
            for (int d = 0; d < dh; d++, k += KeyBlock)
            {
                TV k0 = TL.Load(k), k1 = TL.Load(k + L);
                TV b = TL.Broadcast(q0[d]);
                a00 = TL.MultiplyAdd(b, k0, a00); a01 = TL.MultiplyAdd(b, k1, a01);
                b = TL.Broadcast(q1[d]);
                a10 = TL.MultiplyAdd(b, k0, a10); a11 = TL.MultiplyAdd(b, k1, a11);
                b = TL.Broadcast(q2[d]);
                a20 = TL.MultiplyAdd(b, k0, a20); a21 = TL.MultiplyAdd(b, k1, a21);
                b = TL.Broadcast(q3[d]);
                a30 = TL.MultiplyAdd(b, k0, a30); a31 = TL.MultiplyAdd(b, k1, a31);
            }
            TL.Store(a00, s + c); TL.Store(a01, s + c + L);
            TL.Store(a10, s + KeyBlock + c); TL.Store(a11, s + KeyBlock + c + L);
            TL.Store(a20, s + 2 * KeyBlock + c); TL.Store(a21, s + 2 * KeyBlock + c + L);
            TL.Store(a30, s + 3 * KeyBlock + c); TL.Store(a31, s + 3 * KeyBlock + c + L);
        }
    }

    /// <summary>s[KeyBlock] = q[dh] x kt[dh, KeyBlock] for one row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Scores1<TL, TV>(float* q, int dh, float* kt, float* s) where TL : struct, ILanes<TV> where TV : struct
    {
        int L = TL.Count;
        for (int c = 0; c < KeyBlock; c += 2 * L)
        {
            TV a0 = default, a1 = default;
            float* k = kt + c;
            for (int d = 0; d < dh; d++, k += KeyBlock)
            {
                TV b = TL.Broadcast(q[d]);
                a0 = TL.MultiplyAdd(b, TL.Load(k), a0); a1 = TL.MultiplyAdd(b, TL.Load(k + L), a1);
            }
            TL.Store(a0, s + c); TL.Store(a1, s + c + L);
        }
    }

    /// <summary>
    /// o[4, dh] (row stride dh) += p[4, j0..j1) (row stride KeyBlock) x v[j0..j1, dh] (row stride vStride), for the columns
    /// from c that fill whole pairs of vectors; returns the first column left.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Values4<TL, TV>(float* p, int j0, int j1, float* v, int vStride, float* o, int dh, int c) where TL : struct, ILanes<TV> where TV : struct
    {
        int L = TL.Count;
        float* p0 = p, p1 = p0 + KeyBlock, p2 = p1 + KeyBlock, p3 = p2 + KeyBlock;
        for (; c + 2 * L <= dh; c += 2 * L)
        {
            float* o0 = o + c, o1 = o0 + dh, o2 = o1 + dh, o3 = o2 + dh;
            TV a00 = TL.Load(o0), a01 = TL.Load(o0 + L), a10 = TL.Load(o1), a11 = TL.Load(o1 + L);
            TV a20 = TL.Load(o2), a21 = TL.Load(o2 + L), a30 = TL.Load(o3), a31 = TL.Load(o3 + L);
            float* vj = v + (long)j0 * vStride + c;
            for (int j = j0; j < j1; j++, vj += vStride)
            {
                TV v0 = TL.Load(vj), v1 = TL.Load(vj + L);
                TV b = TL.Broadcast(p0[j]);
                a00 = TL.MultiplyAdd(b, v0, a00); a01 = TL.MultiplyAdd(b, v1, a01);
                b = TL.Broadcast(p1[j]);
                a10 = TL.MultiplyAdd(b, v0, a10); a11 = TL.MultiplyAdd(b, v1, a11);
                b = TL.Broadcast(p2[j]);
                a20 = TL.MultiplyAdd(b, v0, a20); a21 = TL.MultiplyAdd(b, v1, a21);
                b = TL.Broadcast(p3[j]);
                a30 = TL.MultiplyAdd(b, v0, a30); a31 = TL.MultiplyAdd(b, v1, a31);
            }
            TL.Store(a00, o0); TL.Store(a01, o0 + L); TL.Store(a10, o1); TL.Store(a11, o1 + L);
            TL.Store(a20, o2); TL.Store(a21, o2 + L); TL.Store(a30, o3); TL.Store(a31, o3 + L);
        }
        return c;
    }

    /// <summary><see cref="Values4{TL, TV}"/> for one row: four vectors of columns at a time, then pairs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Values1<TL, TV>(float* p, int j0, int j1, float* v, int vStride, float* o, int dh, int c) where TL : struct, ILanes<TV> where TV : struct
    {
        int L = TL.Count;
        for (; c + 4 * L <= dh; c += 4 * L)
        {
            TV a0 = TL.Load(o + c), a1 = TL.Load(o + c + L), a2 = TL.Load(o + c + 2 * L), a3 = TL.Load(o + c + 3 * L);
            float* vj = v + (long)j0 * vStride + c;
            for (int j = j0; j < j1; j++, vj += vStride)
            {
                TV b = TL.Broadcast(p[j]);
                a0 = TL.MultiplyAdd(b, TL.Load(vj), a0); a1 = TL.MultiplyAdd(b, TL.Load(vj + L), a1);
                a2 = TL.MultiplyAdd(b, TL.Load(vj + 2 * L), a2); a3 = TL.MultiplyAdd(b, TL.Load(vj + 3 * L), a3);
            }
            TL.Store(a0, o + c); TL.Store(a1, o + c + L); TL.Store(a2, o + c + 2 * L); TL.Store(a3, o + c + 3 * L);
        }
        for (; c + 2 * L <= dh; c += 2 * L)
        {
            TV a0 = TL.Load(o + c), a1 = TL.Load(o + c + L);
            float* vj = v + (long)j0 * vStride + c;
            for (int j = j0; j < j1; j++, vj += vStride)
            {
                TV b = TL.Broadcast(p[j]);
                a0 = TL.MultiplyAdd(b, TL.Load(vj), a0); a1 = TL.MultiplyAdd(b, TL.Load(vj + L), a1);
            }
            TL.Store(a0, o + c); TL.Store(a1, o + c + L);
        }
        return c;
    }
}

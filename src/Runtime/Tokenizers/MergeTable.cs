namespace HeadPursuit.Runtime.Tokenizers;

/// <summary>
/// The BPE merges as a hash table from a pair of token ids to (rank, merged id): open addressing with linear probing
/// over flat arrays, the pair's 64-bit key mixed by a Fibonacci multiply. (A Dictionary keyed by the pair as a long
/// hashes it to left ^ right, which piles Gemma 3's 515k merges over 262k vocabulary ids into long collision chains:
/// BPE ran 6 times slower than Hugging Face's tokenizers.) A repeated pair keeps its first (best) rank, as HF does.
/// </summary>
internal sealed class MergeTable
{
    readonly long[] _keys;      // [capacity]: left << 32 | right, or Empty
    readonly int[] _ranks;      // [capacity]
    readonly int[] _merged;     // [capacity]
    readonly int _shift;        // 64 - log2(capacity)
    const long Empty = -1;      // no pair of non-negative ids has this key

    public MergeTable(int count)
    {
        int bits = Math.Max(4, 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)Math.Max(1, count) * 2 - 1));   // capacity >= 2 * count
        _keys = new long[1 << bits];
        Array.Fill(_keys, Empty);
        _ranks = new int[1 << bits];
        _merged = new int[1 << bits];
        _shift = 64 - bits;
    }

    static long Key(int left, int right) => ((long)left << 32) | (uint)right;

    int Slot(long key) => (int)((ulong)key * 0x9E3779B97F4A7C15UL >> _shift);

    /// <summary>Adds the merge (left, right) -> merged at rank, unless the pair is already there.</summary>
    public void TryAdd(int left, int right, int rank, int merged)
    {
        long key = Key(left, right);
        int mask = _keys.Length - 1;
        for (int s = Slot(key); ; s = (s + 1) & mask)
        {
            if (_keys[s] == key) return;
            if (_keys[s] != Empty) continue;
            _keys[s] = key;
            _ranks[s] = rank;
            _merged[s] = merged;
            return;
        }
    }

    /// <summary>The rank and merged id of the pair (left, right), if it merges.</summary>
    public bool TryGet(int left, int right, out int rank, out int merged)
    {
        long key = Key(left, right);
        int mask = _keys.Length - 1;
        for (int s = Slot(key); ; s = (s + 1) & mask)
        {
            long k = _keys[s];
            if (k == key)
            {
                rank = _ranks[s];
                merged = _merged[s];
                return true;
            }
            if (k == Empty)
            {
                rank = merged = 0;
                return false;
            }
        }
    }
}

using System.Text;

namespace HeadPursuit.Runtime.Tokenizers;

/// <summary>
/// The BPE model of a tokenizer.json: vocabulary, ranked merges, byte fallback and unknown token.
/// A word is first split into characters (Unicode scalar values), each looked up in the vocabulary;
/// a missing character becomes the &lt;0xNN&gt; tokens of its UTF-8 bytes when byte_fallback is on, else
/// the unknown token (consecutive unknowns fused with fuse_unk; dropped if there is no unknown token,
/// as HF does). Then the adjacent pair with the lowest merge rank is merged, leftmost first, until no
/// pair has a merge. Results are cached per word.
/// </summary>
internal sealed class BpeModel
{
    public const int CacheCapacity = 100_000;
    public const int CacheMaxWordLength = 256;

    readonly Dictionary<string, int> _vocab;
    readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _vocabBySpan;
    readonly MergeTable _merges;
    readonly int[] _byteTokenIds;                               // [256]: id of "<0xNN>", or -1
    readonly int? _unkId;
    readonly bool _fuseUnk, _byteFallback, _ignoreMerges;

    public WordCache Cache { get; } = new(CacheCapacity, CacheMaxWordLength);
    public IReadOnlyDictionary<string, int> Vocab => _vocab;

    public BpeModel(Dictionary<string, int> vocab, IReadOnlyList<(string Left, string Right)> merges,
                    string? unkToken, bool fuseUnk, bool byteFallback, bool ignoreMerges, string where)
    {
        _vocab = vocab;
        _vocabBySpan = vocab.GetAlternateLookup<ReadOnlySpan<char>>();
        _fuseUnk = fuseUnk;
        _byteFallback = byteFallback;
        _ignoreMerges = ignoreMerges;
        if (unkToken != null)
            _unkId = vocab.TryGetValue(unkToken, out int u) ? u : throw new ModelFormatException($"{where}: unk_token '{unkToken}' is not in the vocabulary");

        _merges = new MergeTable(merges.Count);
        for (int rank = 0; rank < merges.Count; rank++)
        {
            var (left, right) = merges[rank];
            int l = Lookup(left, rank), r = Lookup(right, rank), m = Lookup(left + right, rank);
            _merges.TryAdd(l, r, rank, m); // a repeated merge keeps its first (best) rank, as HF
        }

        _byteTokenIds = new int[256];
        for (int b = 0; b < 256; b++) _byteTokenIds[b] = vocab.TryGetValue($"<0x{b:X2}>", out int id) ? id : -1;

        int Lookup(string token, int rank) => vocab.TryGetValue(token, out int id) ? id
            : throw new ModelFormatException($"{where}: merge #{rank} ('{merges[rank].Left}' '{merges[rank].Right}') uses '{token}', which is not in the vocabulary");
    }

    /// <summary>Appends the ids of one word, from the cache when it was seen before.</summary>
    public void Encode(string word, List<int> ids)
    {
        if (!Cache.TryGet(word, out var cached))
        {
            cached = EncodeUncached(word);
            Cache.Add(word, cached);
        }
        ids.AddRange(cached);
    }

    public int[] EncodeUncached(string word)
    {
        if (_ignoreMerges && _vocab.TryGetValue(word, out int whole)) return [whole];
        return Merge(InitialSymbols(word));
    }

    /// <summary>The word's characters as ids, with byte fallback and unknown handling applied.</summary>
    public List<int> InitialSymbols(string word)
    {
        var symbols = new List<int>(word.Length);
        bool previousUnknown = false;
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < word.Length; i++)
        {
            int width = char.IsHighSurrogate(word[i]) && i + 1 < word.Length && char.IsLowSurrogate(word[i + 1]) ? 2 : 1;
            var ch = word.AsSpan(i, width);
            i += width - 1;
            if (_vocabBySpan.TryGetValue(ch, out int id)) { symbols.Add(id); previousUnknown = false; continue; }

            if (_byteFallback)
            {
                int n = Encoding.UTF8.GetBytes(ch, utf8);
                bool all = true;
                for (int k = 0; k < n; k++) all &= _byteTokenIds[utf8[k]] >= 0;
                if (all)
                {
                    for (int k = 0; k < n; k++) symbols.Add(_byteTokenIds[utf8[k]]);
                    previousUnknown = false;
                    continue;
                }
            }
            if (_unkId is int unk && !(_fuseUnk && previousUnknown)) symbols.Add(unk);
            previousUnknown = _unkId != null;
        }
        return symbols;
    }

    /// <summary>
    /// Applies the merges to a symbol sequence in O(n log n): a doubly linked list of symbols and a
    /// priority queue of candidate pairs ordered by (rank, position of the left symbol). An entry whose
    /// pair changed since it was queued is stale and skipped. Same result as the obvious rule (merge the
    /// lowest-rank pair, leftmost first, repeat), which the tests check against a slow reference.
    /// </summary>
    public int[] Merge(List<int> symbols)
    {
        int n = symbols.Count;
        if (n < 2) return [.. symbols];
        var id = symbols.ToArray(); // [n]: symbol id, -1 once merged into its left neighbour
        var prev = new int[n];      // [n]: index of the previous live symbol, -1 at the start
        var next = new int[n];      // [n]: index of the next live symbol, -1 at the end
        for (int i = 0; i < n; i++) { prev[i] = i - 1; next[i] = i + 1 < n ? i + 1 : -1; }

        var queue = new PriorityQueue<int, long>(); // left index, by (rank << 32 | left index)
        for (int i = 0; i + 1 < n; i++) Enqueue(i, i + 1);

        while (queue.TryDequeue(out int left, out long priority))
        {
            int right = next[left];
            if (id[left] < 0 || right < 0) continue;
            if (!_merges.TryGet(id[left], id[right], out int rank, out int merged) || rank != (int)(priority >> 32)) continue;

            id[left] = merged;
            id[right] = -1;
            next[left] = next[right];
            if (next[right] >= 0) prev[next[right]] = left;
            if (prev[left] >= 0) Enqueue(prev[left], left);
            if (next[left] >= 0) Enqueue(left, next[left]);
        }

        var result = new List<int>();
        for (int i = 0; i >= 0; i = next[i]) result.Add(id[i]);
        return [.. result];

        void Enqueue(int l, int r)
        {
            if (_merges.TryGet(id[l], id[r], out int rank, out _)) queue.Enqueue(l, ((long)rank << 32) | (uint)l);
        }
    }
}

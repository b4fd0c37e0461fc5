using System.Collections.Concurrent;

namespace HeadPursuit.Runtime.Tokenizers;

/// <summary>
/// word -> BPE ids, shared by all threads. Bounded: once Capacity words are stored, new words are
/// computed but not remembered (like HF, no eviction); words longer than MaxWordLength are never
/// stored, so one huge word (a text without pre-tokenizer) cannot pin megabytes.
/// </summary>
internal sealed class WordCache(int capacity, int maxWordLength)
{
    readonly ConcurrentDictionary<string, int[]> _entries = new(StringComparer.Ordinal);
    int _count;

    public int Count => Volatile.Read(ref _count);

    public bool TryGet(string word, out int[] ids) => _entries.TryGetValue(word, out ids!);

    public void Add(string word, int[] ids)
    {
        if (word.Length > maxWordLength || Volatile.Read(ref _count) >= capacity) return;
        if (_entries.TryAdd(word, ids)) Interlocked.Increment(ref _count);
    }
}

namespace HeadPursuit.Somp.Tests;

public class ConceptDictionaryTests
{
    /// <summary>A toy tokenizer: text cut into 4-character pieces, each piece an id in order of first appearance.</summary>
    sealed class ChunkTokenizer
    {
        readonly Dictionary<string, int> _ids = new();
        public int[] Encode(string text) =>
            [.. Enumerable.Range(0, (text.Length + 3) / 4).Select(k => text.Substring(k * 4, Math.Min(4, text.Length - k * 4)))
                .Select(piece => _ids.TryGetValue(piece, out int id) ? id : _ids[piece] = _ids.Count)];
    }

    [Fact]
    public void UnionOfWordAndSpaceVariantSortedWithMultiTokenReport()
    {
        var tok = new ChunkTokenizer();
        var c = ConceptDictionary.Build("test", ["red", "blue", "crimson"], tok.Encode);
        // red:[0] " red":[1] blue:[2] " blue":[3,4] crimson:[5,6] " crimson":[7,8]
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7, 8], c.TokenIds);
        Assert.Equal([" blue", " crimson", "crimson"], c.MultiTokenWords.Select(m => m.Text).Order(StringComparer.Ordinal));
        Assert.Equal([7, 8], c.MultiTokenWords.Single(m => m.Text == " crimson").TokenIds);
        Assert.Equal([3, 4, 5, 6, 7, 8], c.FragmentIds);
    }

    [Fact]
    public void WithoutSpaceVariantOnlyTheWords()
    {
        var tok = new ChunkTokenizer();
        var c = ConceptDictionary.Build("test", ["red", "blue", "red"], tok.Encode, spaceVariant: false);
        Assert.Equal([0, 1], c.TokenIds);
        Assert.Empty(c.MultiTokenWords);
        Assert.Empty(c.FragmentIds);
    }

    [Fact]
    public void NoWordYieldsATokenIsAnError()
    {
        var e = Assert.Throws<ArgumentException>(() => ConceptDictionary.Build("ghost", ["a", "b"], _ => []));
        Assert.Contains("ghost", e.Message);
        Assert.Throws<ArgumentException>(() => ConceptDictionary.Build("empty", ["", "  "], new ChunkTokenizer().Encode));
    }

    [Fact]
    public void MissingAndEmptyListFilesAreErrors()
    {
        string missing = Path.Combine(Path.GetTempPath(), "headpursuit-no-such-list.txt");
        var e1 = Assert.Throws<FileNotFoundException>(() => ConceptDictionary.Load(missing, new ChunkTokenizer().Encode));
        Assert.Contains(missing, e1.Message);
        string empty = Path.Combine(Path.GetTempPath(), $"headpursuit-empty-{Environment.ProcessId}.txt");
        File.WriteAllText(empty, "# only a comment\n\n");
        try
        {
            var e2 = Assert.Throws<ArgumentException>(() => ConceptDictionary.Load(empty, new ChunkTokenizer().Encode));
            Assert.Contains(empty, e2.Message);
        }
        finally { File.Delete(empty); }
    }

    public static TheoryData<string> Lists => new() { "colours", "countries", "numbers", "months", "sentiments", "toxicity" };

    [Theory, MemberData(nameof(Lists))]
    public void ShippedWordListsLoad(string name)
    {
        var c = ConceptDictionary.Load(Path.Combine(RepoRoot(), "data", "concepts", name + ".txt"), new ChunkTokenizer().Encode);
        Assert.Equal(name, c.Name);
        Assert.InRange(c.Words.Count, 20, 60);
        Assert.True(c.TokenIds.Length >= c.Words.Count);
    }

    static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "HeadPursuit.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("HeadPursuit.sln not found above " + AppContext.BaseDirectory);
    }
}

using HeadPursuit.Runtime.Hub;

namespace HeadPursuit.Runtime.Tests.Hub;

/// <summary>trees/{commit}.json: huggingface_hub's cached listing format, read and written.</summary>
public sealed class RepoTreeTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("hp-tree-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string PathOf(string name) => Path.Combine(_dir, name);

    [Fact]
    public void AListingAsHuggingfaceHubWritesItIsReadAndWrittenBackTheSame()
    {
        // What huggingface_hub's write_tree_cache produces (json.dump with indent=1, sorted paths).
        string python = """
            {
             "format_version": 1,
             "files": {
              ".gitattributes": {
               "size": 2307,
               "blob_id": "1ef325f1b111266a6b26e0196871bd78baa8c2f3"
              },
              "data/train-00000-of-00001.parquet": {
               "size": 1234,
               "blob_id": "f3b2a1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4",
               "lfs_sha256": "0fe0ec57e0012aa1e82a26224b3e4567c51c65740958516bb893cea0d6f29a27",
               "lfs_size": 1234,
               "xet_hash": "c0ffee"
              }
             }
            }
            """;
        File.WriteAllText(PathOf("a.json"), python);

        var tree = RepoTree.Read(PathOf("a.json"))!;
        Assert.Equal([".gitattributes", "data/train-00000-of-00001.parquet"], tree.Paths);
        Assert.Equal(new RepoTreeEntry(1234, "f3b2a1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4",
            "0fe0ec57e0012aa1e82a26224b3e4567c51c65740958516bb893cea0d6f29a27", 1234, "c0ffee"), tree.Files["data/train-00000-of-00001.parquet"]);

        tree.Write(PathOf("b.json"));
        Assert.Equal(python.Replace("\r\n", "\n").TrimEnd(), File.ReadAllText(PathOf("b.json")).Replace("\r\n", "\n").TrimEnd());
    }

    [Theory]
    [InlineData("{\"format_version\": 2, \"files\": {}}")]
    [InlineData("{\"format_version\": 1, \"files\": {\"../x\": {\"size\": 1, \"blob_id\": \"a\"}}}")]
    [InlineData("{\"format_version\": 1, \"files\": {\"x\": {\"size\": \"1\", \"blob_id\": \"a\"}}}")]
    [InlineData("{\"format_version\": 1, \"files\": [")]
    [InlineData("[]")]
    public void AListingOfAnotherVersionOrDamagedIsNotUsed(string json)
    {
        File.WriteAllText(PathOf("t.json"), json);
        Assert.Null(RepoTree.Read(PathOf("t.json")));
    }
}

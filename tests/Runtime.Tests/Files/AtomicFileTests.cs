using HeadPursuit.Runtime.Files;

namespace HeadPursuit.Runtime.Tests.Files;

/// <summary>
/// The one way outputs are written: whole or not at all. A write that fails part way (the disk filling up, simulated
/// here by a writer whose stream write throws ENOSPC after some bytes) leaves the old file as it was, no temporary
/// file, and one IOException naming the target.
/// </summary>
public sealed class AtomicFileTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("hp-atomic-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void AWriteReplacesTheFileWholeAndLeavesNothingElse()
    {
        string path = Path.Combine(_dir, "out.json");
        AtomicFile.WriteText(path, "first");
        AtomicFile.WriteText(path, "second, longer");
        Assert.Equal("second, longer", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    [Fact]
    public void AFullDiskPartWayLeavesTheOldFileAndNoTemporaryFile()
    {
        string path = Path.Combine(_dir, "acts.safetensors");
        AtomicFile.WriteText(path, "the previous result");
        var e = Assert.Throws<IOException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(new byte[100_000]);
            throw new IOException("No space left on device", 28);   // what .NET raises for ENOSPC
        }));
        Assert.Equal($"cannot write {path}: no space left on the device", e.Message);
        Assert.Equal("the previous result", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    [Fact]
    public void AMissingFolderIsOneErrorNamingTheTarget()
    {
        string path = Path.Combine(_dir, "no", "such", "out.md");
        var e = Assert.Throws<IOException>(() => AtomicFile.WriteText(path, "x"));
        Assert.StartsWith($"cannot write {path}: ", e.Message);
    }

    [Fact]
    public void LeftoversAreTheTemporaryFilesOfThatTargetOnly()
    {
        string path = Path.Combine(_dir, "r.json");
        string mine = $"{path}.{Guid.NewGuid():N}.tmp", other = $"{path}.partial.{Guid.NewGuid():N}.tmp", notOurs = path + ".x.tmp";
        foreach (string f in new[] { mine, other, notOurs }) File.WriteAllText(f, "");
        Assert.Equal([mine], AtomicFile.Leftovers(path));
        Assert.Equal([other], AtomicFile.Leftovers(path + ".partial"));
    }
}

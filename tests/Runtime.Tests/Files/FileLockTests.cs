using HeadPursuit.Runtime.Files;

namespace HeadPursuit.Runtime.Tests.Files;

/// <summary>
/// The output lock: one holder at a time (flock: a second open file description conflicts even in the same process),
/// the holder's process id readable by the one refused, the file gone after release.
/// </summary>
public sealed class FileLockTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("hp-lock-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ASecondTakerIsRefusedAndLearnsTheHolder()
    {
        string path = Path.Combine(_dir, "out.lock");
        using (var held = FileLock.TryTake(path))
        {
            Assert.NotNull(held);
            Assert.Null(FileLock.TryTake(path));
            Assert.Equal(Environment.ProcessId, FileLock.Holder(path));
        }
        Assert.False(File.Exists(path));
        using var again = FileLock.TryTake(path);
        Assert.NotNull(again);
    }

    [Fact]
    public async Task AWaiterGetsTheLockWhenTheHolderLetsGo()
    {
        string path = Path.Combine(_dir, "blob.lock");
        var held = await FileLock.WaitAsync(path, () => { }, CancellationToken.None);
        int polls = 0;
        var waiting = FileLock.WaitAsync(path, () => { if (++polls == 3) held.Dispose(); }, CancellationToken.None);
        using var next = await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(polls >= 3);
        Assert.True(File.Exists(path));   // the hub's lock files stay, as huggingface_hub's do
    }

    [Fact]
    public void FileIdentitySeesDevicesFoldersAndLinks()
    {
        string file = Path.Combine(_dir, "model.safetensors"), link = Path.Combine(_dir, "link"), hard = Path.Combine(_dir, "hard");
        File.WriteAllText(file, "x");
        File.CreateSymbolicLink(link, file);
        using (var ln = System.Diagnostics.Process.Start("ln", [file, hard])!)   // a hard link (.NET makes none)
        {
            ln.WaitForExit();
            Assert.Equal(0, ln.ExitCode);
        }
        Assert.Equal(FileKind.Other, FileIdentity.Of("/dev/null").Kind);
        Assert.Equal(FileKind.Directory, FileIdentity.Of(_dir).Kind);
        Assert.Equal(FileKind.Missing, FileIdentity.Of(Path.Combine(_dir, "none")).Kind);
        var id = FileIdentity.Of(file);
        Assert.Equal(FileKind.Regular, id.Kind);
        Assert.True(id.SameFileAs(FileIdentity.Of(link)));
        Assert.True(id.SameFileAs(FileIdentity.Of(Path.Combine(_dir, ".", "model.safetensors"))));
        Assert.True(id.SameFileAs(FileIdentity.Of(hard)));
        Assert.False(id.SameFileAs(FileIdentity.Of(Path.Combine(_dir, "none"))));
    }
}

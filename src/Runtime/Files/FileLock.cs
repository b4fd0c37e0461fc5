using System.Globalization;
using System.Text;

namespace HeadPursuit.Runtime.Files;

/// <summary>
/// An advisory lock on a side file, held open with FileShare.None: on Linux and macOS .NET takes that as
/// flock(LOCK_EX | LOCK_NB), the lock Python's filelock (and so huggingface_hub) takes, so our processes and Python's
/// exclude each other. The kernel drops the lock when its holder exits, killed or not, so a file a dead process leaves
/// behind never blocks anyone. The holder writes its process id into the file, for the message of a process that
/// finds the lock taken.
///
/// Two uses: <see cref="WaitAsync"/> (the hub's blob downloads: wait for the other process, keep the file, as
/// huggingface_hub does) and <see cref="TryTake"/> (a command's outputs: stop at once when another process writes
/// them; the file is removed on release).
/// </summary>
internal sealed class FileLock : IDisposable
{
    static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    readonly FileStream _file;
    readonly string? _removeOnRelease;

    FileLock(FileStream file, string? removeOnRelease) { _file = file; _removeOnRelease = removeOnRelease; }

    /// <summary>Removes the file (when asked to) while still holding the lock, then lets go.</summary>
    public void Dispose()
    {
        try
        {
            if (_removeOnRelease != null) File.Delete(_removeOnRelease);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // left behind, it blocks no one: the lock is the kernel's and goes with the file descriptor
        }
        _file.Dispose();
    }

    /// <summary>
    /// Takes the lock at <paramref name="path"/>, waiting as long as another process holds it; <paramref name="whileWaiting"/>
    /// runs at each poll (to show the other process's progress). The file stays after release.
    /// </summary>
    public static async Task<FileLock> WaitAsync(string path, Action whileWaiting, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        while (true)
        {
            if (Open(path) is { } file) return new FileLock(file, null);
            whileWaiting();
            await Task.Delay(Poll, ct);
        }
    }

    /// <summary>
    /// Takes the lock at <paramref name="path"/> if no other process holds it (else null); the file is removed on release.
    /// Cannot-create errors (a read-only folder) come out as the IOException or UnauthorizedAccessException they are.
    /// </summary>
    public static FileLock? TryTake(string path)
    {
        while (true)
        {
            if (Open(path) is not { } file) return null;
            // The last holder removes the file before it lets go: one opened just before that removal is locked now, but
            // under a name nobody else sees. Start again with the file now at the path.
            if (FileIdentity.Of(file.SafeFileHandle, path) is { } held && !held.SameFileAs(FileIdentity.Of(path)))
            {
                file.Dispose();
                continue;
            }
            return new FileLock(file, path);
        }
    }

    /// <summary>The process id the holder of <paramref name="path"/> wrote, if it can be read.</summary>
    public static int? Holder(string path) =>
        Libc.ReadStart(path, 32) is { } bytes && int.TryParse(Encoding.ASCII.GetString(bytes).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
            ? pid : null;

    /// <summary>The lock file opened and locked, with this process's id written into it; null when another holds the lock.</summary>
    static FileStream? Open(string path)
    {
        FileStream file;
        try { file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0); }
        catch (IOException e) when (IsHeldByAnother(e)) { return null; }
        try
        {
            file.SetLength(0);
            file.Write(Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n"));
        }
        catch (IOException)
        {
            // a full disk: the lock holds without the id (unbuffered, so nothing is left to flush)
        }
        return file;
    }

    /// <summary>EWOULDBLOCK from flock (11 on Linux, 35 on macOS); a sharing or lock violation (32, 33) on Windows.</summary>
    static bool IsHeldByAnother(IOException e) => e.HResult is 11 or 35 or unchecked((int)0x80070020) or unchecked((int)0x80070021);
}

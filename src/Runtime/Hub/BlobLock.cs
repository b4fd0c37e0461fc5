namespace HeadPursuit.Runtime.Hub;

/// <summary>
/// The lock one process holds while it downloads a blob and links it into a snapshot: the file
/// {cache}/.locks/{repo folder}/{etag}.lock, as huggingface_hub names it, held open with FileShare.None. On Linux
/// and macOS .NET takes that as flock(LOCK_EX), the lock Python's filelock (and so huggingface_hub) takes on the
/// same file, so our processes and Python's wait for each other. The kernel drops the lock when its holder exits,
/// killed or not, so the file a dead process leaves behind never blocks anyone. A process that finds the lock
/// taken polls every <see cref="Poll"/> until it is free.
/// </summary>
sealed class BlobLock : IDisposable
{
    static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    readonly FileStream _file;

    BlobLock(FileStream file) { _file = file; }

    public void Dispose() => _file.Dispose();

    /// <summary>
    /// Takes the lock at <paramref name="path"/>, waiting as long as another holds it; <paramref name="whileWaiting"/>
    /// runs at each poll (to show the other download's progress).
    /// </summary>
    public static async Task<BlobLock> AcquireAsync(string path, Action whileWaiting, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        while (true)
        {
            try
            {
                return new BlobLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException e) when (IsHeldByAnother(e))
            {
                whileWaiting();
                await Task.Delay(Poll, ct);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new HubRequestException($"cannot create the download lock {path}: {e.Message}");
            }
        }
    }

    /// <summary>EWOULDBLOCK from flock (11 on Linux, 35 on macOS); a sharing or lock violation (32, 33) on Windows.</summary>
    static bool IsHeldByAnother(IOException e) => e.HResult is 11 or 35 or unchecked((int)0x80070020) or unchecked((int)0x80070021);
}

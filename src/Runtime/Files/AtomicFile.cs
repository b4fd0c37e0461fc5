using System.Text;

namespace HeadPursuit.Runtime.Files;

/// <summary>
/// How every file headpursuit writes is written: into a temporary file beside the target (PATH.{random}.tmp, unique per
/// writer), flushed to the disk, then renamed over the target. Readers, and a process killed at any moment, see the old
/// contents or the new ones, never a mix, a truncated file or an empty one; two writers never share a temporary file.
/// A failed write (a full disk, a read-only folder) removes its temporary file and ends as one <see cref="IOException"/>
/// naming the target and the reason.
/// </summary>
internal static class AtomicFile
{
    /// <summary>The suffix of temporary files: PATH + "." + 32 hex digits + TempSuffix.</summary>
    public const string TempSuffix = ".tmp";

    public static void Write(string path, Action<Stream> write)
    {
        string temp = $"{path}.{Guid.NewGuid():N}{TempSuffix}";
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                write(file);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot write {path}: {Reason(e)}", e);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);   // none after the rename, nor when it could not be created
        }
    }

    /// <summary>Text as UTF-8 without a byte order mark (as File.WriteAllText writes it).</summary>
    public static void WriteText(string path, string text) => Write(path, s => s.Write(Encoding.UTF8.GetBytes(text)));

    /// <summary>
    /// The temporary files writers of <paramref name="path"/> left behind when they were killed. Only safe to remove by a
    /// process that holds the path's <see cref="FileLock"/>: any other writer of it is dead.
    /// </summary>
    public static IEnumerable<string> Leftovers(string path)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!, prefix = Path.GetFileName(path) + ".";
        if (!Directory.Exists(folder)) return [];
        return Directory.EnumerateFiles(folder, "*" + TempSuffix).Where(f =>
        {
            string name = Path.GetFileName(f);
            return name.Length == prefix.Length + 32 + TempSuffix.Length && name.StartsWith(prefix, StringComparison.Ordinal)
                   && name.AsSpan(prefix.Length, 32).ContainsAnyExcept("0123456789abcdef") == false;
        });
    }

    /// <summary>Why a write failed, in words (without the temporary file's name .NET puts in its messages).</summary>
    public static string Reason(Exception e) => e switch
    {
        UnauthorizedAccessException => "permission denied",
        IOException { HResult: 28 } => "no space left on the device",
        IOException { HResult: 30 } => "read-only file system",
        IOException { HResult: 122 } => "disk quota exceeded",
        _ => e.Message,
    };
}

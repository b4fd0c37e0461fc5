using System.Runtime.InteropServices;

namespace HeadPursuit.Runtime.Files;

/// <summary>
/// The few C library calls the file code needs and .NET does not offer: statx (a file's type and identity, Linux) and a
/// plain open/read (a read that takes no lock, unlike every .NET FileStream, which takes flock's shared lock and so
/// cannot read a file another process holds locked).
/// </summary>
static unsafe partial class Libc
{
    public const int AtFdCwd = -100;
    public const int AtEmptyPath = 0x1000;
    /// <summary>STATX_TYPE | STATX_MODE | STATX_INO.</summary>
    public const uint StatxTypeModeIno = 0x1 | 0x2 | 0x100;
    /// <summary>sizeof(struct statx), the same on every architecture.</summary>
    public const int StatxSize = 256;
    /// <summary>Offsets in struct statx: stx_mode (u16), stx_ino (u64), stx_dev_major and stx_dev_minor (u32).</summary>
    public const int StatxMode = 28, StatxIno = 32, StatxDevMajor = 136, StatxDevMinor = 140;

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close")]
    public static partial int Close(int fd);

    /// <summary>Up to <paramref name="max"/> bytes from the start of <paramref name="path"/>, read without any lock; null when it cannot be read.</summary>
    public static byte[]? ReadStart(string path, int max)
    {
        int fd = Open(path, 0);   // O_RDONLY
        if (fd < 0) return null;
        try
        {
            var buffer = new byte[max];
            fixed (byte* p = buffer)
            {
                nint n = Read(fd, p, max);
                return n < 0 ? null : buffer[..(int)n];
            }
        }
        finally { Close(fd); }
    }
}

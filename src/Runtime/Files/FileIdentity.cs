using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace HeadPursuit.Runtime.Files;

/// <summary>What a path names, following symbolic links.</summary>
internal enum FileKind { Missing, Regular, Directory, Other }

/// <summary>
/// A file's kind and identity, symbolic links followed: on Linux (statx) its device and inode, so two spellings of one
/// file, a symbolic link and a hard link all compare equal and a device node, pipe or socket is told from a regular
/// file; elsewhere its full path with links resolved (a device is not recognised there).
/// </summary>
internal readonly record struct FileIdentity(FileKind Kind, ulong Device, ulong Inode, string FullPath)
{
    /// <summary>The same file (a missing path is the same as nothing).</summary>
    public bool SameFileAs(FileIdentity other) =>
        Kind != FileKind.Missing && other.Kind != FileKind.Missing &&
        (Inode != 0 && other.Inode != 0 ? Device == other.Device && Inode == other.Inode : FullPath == other.FullPath);

    public static FileIdentity Of(string path)
    {
        string full = Resolved(Path.GetFullPath(path));
        if (!HasStatx)
            return new(File.Exists(full) ? FileKind.Regular : Directory.Exists(full) ? FileKind.Directory : FileKind.Missing, 0, 0, full);
        return Statx(Libc.AtFdCwd, full, 0, full) ?? new(FileKind.Missing, 0, 0, full);
    }

    /// <summary>The file an open handle refers to (where statx exists; elsewhere null), wherever its name now points.</summary>
    public static FileIdentity? Of(SafeFileHandle handle, string path) =>
        HasStatx ? Statx((int)handle.DangerousGetHandle(), "", Libc.AtEmptyPath, Path.GetFullPath(path)) : null;

    /// <summary>Linux with a C library that has statx (glibc 2.28 and later, musl 1.2.5 and later).</summary>
    static readonly bool HasStatx = OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libc", typeof(FileIdentity).Assembly, null, out var libc)
                                    && NativeLibrary.TryGetExport(libc, "statx", out _);

    static unsafe FileIdentity? Statx(int dirfd, string path, int flags, string full)
    {
        byte* buffer = stackalloc byte[Libc.StatxSize];
        if (Libc.Statx(dirfd, path, flags, Libc.StatxTypeModeIno, buffer) != 0) return null;
        int type = *(ushort*)(buffer + Libc.StatxMode) & 0xF000;   // S_IFMT
        var kind = type switch { 0x8000 => FileKind.Regular, 0x4000 => FileKind.Directory, _ => FileKind.Other };
        ulong device = (ulong)*(uint*)(buffer + Libc.StatxDevMajor) << 32 | *(uint*)(buffer + Libc.StatxDevMinor);
        return new(kind, device, *(ulong*)(buffer + Libc.StatxIno), full);
    }

    /// <summary>The path with symbolic links resolved (itself when it is none or does not exist).</summary>
    static string Resolved(string full)
    {
        try { return new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full; }
        catch (IOException) { return full; }   // a link loop: statx reports it as missing
    }
}

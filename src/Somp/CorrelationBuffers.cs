using System.Runtime.InteropServices;

namespace HeadPursuit.Somp;

/// <summary>
/// The correlation matrices P [v, n] float64 of <see cref="SompFast"/>, kept from one call to the next: a decomposition
/// makes many calls of the same size, and first touching fresh memory is slow (on this project's VM, 2 s for 400 MB of
/// 4 KiB pages under load, as long as the whole SOMP of a head). Holds at most the buffers of the last call. A fresh
/// buffer is advised to use transparent huge pages on Linux (512 times fewer page faults).
/// </summary>
static partial class CorrelationBuffers
{
    static readonly object Gate = new();
    static List<double[]> _free = [];

    /// <summary>A buffer of exactly <paramref name="length"/> doubles, contents undefined.</summary>
    public static double[] Rent(int length)
    {
        lock (Gate)
        {
            int i = _free.FindIndex(b => b.Length == length);
            if (i >= 0)
            {
                var reused = _free[i];
                _free.RemoveAt(i);
                return reused;
            }
        }
        var fresh = GC.AllocateUninitializedArray<double>(length, pinned: true);
        AdviseHugePages(fresh);
        return fresh;
    }

    /// <summary>Keeps <paramref name="buffers"/> (a call's, now unused) for the next call, dropping any kept before.</summary>
    public static void Keep(IEnumerable<double[]> buffers)
    {
        var kept = buffers.Where(b => b.Length > 0).ToList();
        lock (Gate) _free = kept;
    }

    const int MadvHugePage = 14;

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(nint address, nuint length, int advice);

    /// <summary>madvise(MADV_HUGEPAGE) over the whole 2 MiB pages inside the (pinned, untouched) array; a hint, so failures are ignored.</summary>
    static unsafe void AdviseHugePages(double[] buffer)
    {
        const long HugePage = 2 << 20;
        if (!OperatingSystem.IsLinux() || (long)buffer.Length * sizeof(double) < 2 * HugePage) return;
        fixed (double* p = buffer)
        {
            long start = ((long)p + HugePage - 1) & ~(HugePage - 1), end = ((long)(p + buffer.Length)) & ~(HugePage - 1);
            try
            {
                Madvise((nint)start, (nuint)(end - start), MadvHugePage);
            }
            catch (DllNotFoundException)
            {
                // no libc by that name: the pages stay small
            }
        }
    }
}

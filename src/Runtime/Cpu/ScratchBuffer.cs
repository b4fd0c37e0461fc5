namespace HeadPursuit.Runtime.Cpu;

/// <summary>
/// Per-thread packing memory, reused across calls: each thread keeps one pinned array per slot, grown
/// when a call needs more, so steady-state matmuls allocate nothing. Pointers are 64-byte aligned
/// (one cache line), which keeps the kernel's 32-byte loads from splitting lines.
/// </summary>
internal static unsafe class ScratchBuffer
{
    public const int PackedA = 0, PackedB = 1, EdgeTile = 2, GemvPartials = 3;

    [ThreadStatic] static float[]?[]? _slots;

    /// <summary>At least <paramref name="floats"/> floats for <paramref name="slot"/> on this thread; valid until the next call with that slot on this thread.</summary>
    public static float* Get(int slot, int floats)
    {
        var slots = _slots ??= new float[]?[4];
        var a = slots[slot];
        if (a == null || a.Length < floats + 16)
            slots[slot] = a = GC.AllocateUninitializedArray<float>(floats + 16, pinned: true);
        fixed (float* p = a)   // the array is pinned for life; fixed just yields its address
            return (float*)(((nint)p + 63) & ~(nint)63);
    }
}

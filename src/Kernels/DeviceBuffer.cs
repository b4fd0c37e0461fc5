using HeadPursuit.Kernels.Native;

namespace HeadPursuit.Kernels;

/// <summary>Device memory from cuMemAlloc, freed on Dispose. Made by <see cref="CudaDevice.Allocate"/> (zero-filled).</summary>
internal sealed class DeviceBuffer : IDisposable
{
    public ulong Address { get; private set; }
    public long Bytes { get; }

    internal DeviceBuffer(long bytes)
    {
        Bytes = bytes;
        int status = CudaDriver.cuMemAlloc(out ulong address, (nuint)bytes);
        CudaDriver.Check(status, $"cuMemAlloc({bytes} bytes)");
        Address = address;
    }

    /// <summary>The address <paramref name="bytes"/> bytes into the buffer (for sub-views such as one head's block).</summary>
    public ulong At(long bytes) => Address + (ulong)bytes;

    public void Dispose()
    {
        if (Address == 0) return;
        CudaDriver.cuMemFree(Address);
        Address = 0;
    }
}

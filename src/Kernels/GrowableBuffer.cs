namespace HeadPursuit.Kernels;

/// <summary>A device scratch buffer that grows to the largest size asked for (small per-call uploads such as token ids).</summary>
sealed class GrowableBuffer(CudaDevice device) : IDisposable
{
    DeviceBuffer? _buffer;

    public DeviceBuffer Ensure(long bytes)
    {
        if (_buffer != null && _buffer.Bytes >= bytes) return _buffer;
        if (_buffer != null)
        {
            device.Synchronize();   // queued kernels may still read the old buffer
            _buffer.Dispose();
        }
        return _buffer = device.Allocate(Math.Max(bytes, 2 * (_buffer?.Bytes ?? 0)));
    }

    /// <summary>Uploads <paramref name="values"/> into the buffer (grown to fit) and returns it.</summary>
    public DeviceBuffer Upload<T>(ReadOnlySpan<T> values) where T : unmanaged
    {
        var buffer = Ensure((long)values.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>());
        device.Upload(values, buffer);
        return buffer;
    }

    byte[]? _uploaded;   // what UploadUnlessSame last sent

    /// <summary>
    /// As <see cref="Upload{T}"/>, but sends nothing when <paramref name="values"/> are what this method sent last (the
    /// row positions and slots of one forward call are the same for every layer; each upload from pageable host
    /// memory may wait for the stream). Only for a buffer that no kernel writes and that nothing else uploads into.
    /// </summary>
    public DeviceBuffer UploadUnlessSame<T>(ReadOnlySpan<T> values) where T : unmanaged
    {
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values);
        if (_buffer != null && _uploaded != null && bytes.SequenceEqual(_uploaded)) return _buffer;
        var buffer = Upload(values);
        _uploaded = bytes.ToArray();
        return buffer;
    }

    public void Dispose() => _buffer?.Dispose();
}

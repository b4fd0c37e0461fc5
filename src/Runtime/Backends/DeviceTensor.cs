namespace HeadPursuit.Runtime.Backends;

/// <summary>
/// A 2-D buffer [Rows, Cols] owned by a backend: activations, a weight matrix, a vector (Rows = 1) or an
/// embedding table. The model code only passes these handles between backend ops; what is inside
/// (host floats, mapped file bytes, device memory) is the backend's business.
/// </summary>
internal abstract class DeviceTensor(int rows, int cols) : IDisposable
{
    public int Rows { get; } = rows;
    public int Cols { get; } = cols;
    public virtual void Dispose() { }
}

using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Cpu;
using HeadPursuit.Runtime.Tensors;

namespace HeadPursuit.Runtime.Models;

/// <summary>
/// A model's parameters placed on a backend (what a family's Load allocates), remembered so that the model frees them
/// all when it is disposed (device memory on a GPU).
/// </summary>
internal sealed class ParameterTensors(IBackend backend) : IDisposable
{
    readonly List<DeviceTensor> _all = [];

    public IBackend Backend => backend;

    /// <summary>A projection weight, kept in its file dtype.</summary>
    public DeviceTensor Matrix(WeightMatrix w) => Keep(backend.Matrix(w));

    /// <summary>[1, n]: a bias or a norm gain.</summary>
    public DeviceTensor Vector(float[] v) => Keep(backend.Vector(v));

    /// <summary>[rows, d] an embedding table for lookups.</summary>
    public DeviceTensor Table(TensorView table) => Keep(backend.Table(table));

    DeviceTensor Keep(DeviceTensor t)
    {
        _all.Add(t);
        return t;
    }

    public void Dispose()
    {
        foreach (var t in _all) t.Dispose();
        _all.Clear();
    }
}

using HeadPursuit.Runtime.Cpu;
using HeadPursuit.Runtime.Tensors;

namespace HeadPursuit.Runtime.Backends.Cpu;

/// <summary>
/// The CPU backend's tensor: host fp32 data (activations, vectors), a weight matrix left in its mapped
/// file dtype, or an embedding table read row by row from its mapped file.
/// </summary>
sealed class CpuTensor : DeviceTensor
{
    /// <summary>[Rows * Cols] fp32 for activations and vectors; null for weights and tables.</summary>
    public float[]? Data { get; }
    public WeightMatrix? Weight { get; }
    public TensorView? TableView { get; }

    public CpuTensor(float[] data, int rows, int cols) : base(rows, cols) { Data = data; }
    public CpuTensor(WeightMatrix w) : base(w.In, w.Out) { Weight = w; }
    public CpuTensor(TensorView table) : base(table.Shape[0], table.Shape[1]) { TableView = table; }

    public float[] Floats => Data ?? throw new InvalidOperationException("this CPU tensor holds no fp32 data (it is a weight or a table)");

    public static CpuTensor Of(DeviceTensor t) =>
        t as CpuTensor ?? throw new ArgumentException($"tensor of type {t.GetType().Name} was not made by the CPU backend");
}

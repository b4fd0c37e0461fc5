using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Cpu;
using HeadPursuit.Runtime.Tensors;

namespace HeadPursuit.Kernels;

/// <summary>
/// The CUDA backend's tensor: device memory holding [Rows, Cols] values. Activations and vectors are fp32; a weight
/// matrix or an embedding table keeps its file dtype (F32, BF16 or F16). Layout is set for weight matrices only
/// (then Rows = In, Cols = Out, as for the CPU backend).
/// </summary>
sealed class CudaTensor : DeviceTensor
{
    public DeviceBuffer Buffer { get; }
    public DType DType { get; }
    public WeightLayout? Layout { get; }

    public CudaTensor(DeviceBuffer buffer, int rows, int cols, DType dtype, WeightLayout? layout = null) : base(rows, cols)
    {
        Buffer = buffer; DType = dtype; Layout = layout;
    }

    public static CudaTensor Of(DeviceTensor t) =>
        t as CudaTensor ?? throw new ArgumentException($"tensor of type {t.GetType().Name} was not made by the CUDA backend");

    public override void Dispose() => Buffer.Dispose();
}

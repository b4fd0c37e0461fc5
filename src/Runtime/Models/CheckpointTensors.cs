using System.Runtime.InteropServices;
using HeadPursuit.Runtime.Cpu;
using HeadPursuit.Runtime.SafeTensors;
using HeadPursuit.Runtime.Tensors;

namespace HeadPursuit.Runtime.Models;

/// <summary>
/// A checkpoint's tensors as a family asks for them: by their Hugging Face causal-LM name, mapped to the name stored in
/// the files (a vision-language checkpoint nests its language model: "language_model.model.X" or "model.language_model.X"),
/// each checked against the shape the config implies. A missing tensor or a wrong shape is an error naming it.
/// </summary>
internal class CheckpointTensors
{
    readonly WeightStore? _store;
    readonly Func<string, string> _name;

    public CheckpointTensors(WeightStore store, Func<string, string>? storedName = null)
    {
        _store = store;
        _name = storedName ?? (n => n);
    }

    /// <summary>For sources other than files (a benchmark's random checkpoint), which override Contains and Get.</summary>
    protected CheckpointTensors() => _name = n => n;

    public virtual bool Contains(string name) => _store!.Contains(_name(name));

    public virtual TensorView Get(string name, params int[] shape) => _store!.Get(_name(name)).ExpectShape(shape);

    /// <summary>A 1-D parameter (norm gain, bias) as fp32 [length].</summary>
    public float[] Vector(string name, int length) => Get(name, length).ToFloatArray();

    /// <summary>A PyTorch Linear weight, stored [out, in].</summary>
    public WeightMatrix Linear(string name, int outDim, int inDim) => new(Get(name, outDim, inDim), WeightLayout.OutIn);

    /// <summary>
    /// A GPT-2 Conv1D weight ([in, out] in the file) copied transposed into a Linear's [out, in], in the file dtype, as
    /// llama.cpp's converter stores it: a batch-1 decode then streams whole stored rows (the OutIn GEMV ran 1.3x the InOut
    /// one with two threads on GPT-2 small's matrices, bench/results/gemm.md); the product is the same matrix.
    /// </summary>
    public unsafe WeightMatrix Conv1DAsLinear(string name, int inDim, int outDim)
    {
        var stored = new WeightMatrix(Get(name, inDim, outDim), WeightLayout.InOut);   // checks the dtype: F32, BF16 or F16
        var src = stored.View;
        int size = DTypes.SizeOf(src.DType);
        var buffer = GC.AllocateUninitializedArray<byte>(checked(inDim * outDim * size), pinned: true);   // [out, in]
        byte* from = src.Data, to = (byte*)Marshal.UnsafeAddrOfPinnedArrayElement(buffer, 0);
        const int Tile = 32;   // 32 x 32 tiles, so both sides are read and written a cache line at a time
        for (int p0 = 0; p0 < inDim; p0 += Tile)
            for (int j0 = 0; j0 < outDim; j0 += Tile)
                for (int p = p0; p < Math.Min(inDim, p0 + Tile); p++)
                    for (int j = j0; j < Math.Min(outDim, j0 + Tile); j++)
                    {
                        long a = (long)p * outDim + j, z = (long)j * inDim + p;
                        if (size == 2) ((ushort*)to)[z] = ((ushort*)from)[a];
                        else ((uint*)to)[z] = ((uint*)from)[a];
                    }
        return new WeightMatrix(new TensorView(name, src.DType, [outDim, inDim], to, src.Source, owner: buffer), WeightLayout.OutIn);
    }

    /// <summary>
    /// Linear weights of one input stacked along their outputs ([sum out_i, in]) into one matrix, so two or three
    /// projections of the same input run as one matrix multiply (q|k|v, gate|up). The copy keeps the file dtype.
    /// </summary>
    public WeightMatrix StackedLinear(string label, int inDim, params (string Name, int Out)[] parts)
    {
        var views = parts.Select(p => Get(p.Name, p.Out, inDim)).ToArray();
        return new WeightMatrix(CopyRows(label, views.Select(v => (v, 0, v.Shape[0])).ToArray()), WeightLayout.OutIn);
    }

    /// <summary>
    /// The rows [first, first + count) of stored tensors, in the given order, copied into one new [sum count, cols]
    /// tensor of the same dtype (to stack projections or reorder a fused projection's rows).
    /// </summary>
    public static unsafe TensorView CopyRows(string label, params (TensorView Source, int First, int Count)[] blocks)
    {
        var dtype = blocks[0].Source.DType;
        int cols = blocks[0].Source.Shape[1], size = DTypes.SizeOf(dtype);
        foreach (var (src, first, count) in blocks)
        {
            if (src.DType != dtype) throw new ModelFormatException($"{label}: '{src.Name}' is {src.DType}, '{blocks[0].Source.Name}' is {dtype}; they must share a dtype");
            if (src.Rank != 2 || src.Shape[1] != cols || first < 0 || first + count > src.Shape[0])
                throw new ModelFormatException($"{label}: rows {first}..{first + count} of '{src.Name}' {src.ShapeText} do not fit a [*, {cols}] stack");
        }
        int rows = blocks.Sum(b => b.Count);
        long rowBytes = (long)cols * size;
        var buffer = GC.AllocateUninitializedArray<byte>(checked((int)(rows * rowBytes)), pinned: true);
        long at = 0;
        foreach (var (src, first, count) in blocks)
        {
            src.Bytes.Slice(checked((int)(first * rowBytes)), checked((int)(count * rowBytes))).CopyTo(buffer.AsSpan(checked((int)at)));
            at += count * rowBytes;
        }
        return new TensorView(label, dtype, [rows, cols], (byte*)Marshal.UnsafeAddrOfPinnedArrayElement(buffer, 0), blocks[0].Source.Source, owner: buffer);
    }
}

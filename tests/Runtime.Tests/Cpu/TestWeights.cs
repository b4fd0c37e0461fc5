using HeadPursuit.Runtime.Cpu;
using HeadPursuit.Runtime.SafeTensors;
using HeadPursuit.Runtime.Tensors;

namespace HeadPursuit.Runtime.Tests.Cpu;

/// <summary>
/// Weight matrices for tests, written with SafeTensorsWriter and read back through a memory-mapped
/// SafeTensorsFile, so the kernels see exactly what they see in production: a TensorView in the file dtype.
/// Dispose closes the files and deletes the folder.
/// </summary>
sealed class TestWeights : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("hp-gemm-").FullName;
    readonly List<SafeTensorsFile> _files = [];
    int _next;

    /// <summary>A weight with <paramref name="inputs"/> inputs and <paramref name="outputs"/> outputs, from logical values w[p * outputs + j] (input p, output j), stored as <paramref name="dtype"/> in <paramref name="layout"/>.</summary>
    public WeightMatrix Create(float[] logical, int inputs, int outputs, DType dtype, WeightLayout layout)
    {
        int[] shape = layout == WeightLayout.InOut ? [inputs, outputs] : [outputs, inputs];
        var stored = new float[logical.Length];   // [shape[0], shape[1]]
        for (int p = 0; p < inputs; p++)
            for (int j = 0; j < outputs; j++)
                stored[layout == WeightLayout.InOut ? p * outputs + j : j * inputs + p] = logical[p * outputs + j];

        byte[] bytes = dtype switch
        {
            DType.F32 => stored.SelectMany(BitConverter.GetBytes).ToArray(),
            DType.BF16 => stored.SelectMany(v => BitConverter.GetBytes(HalfFloat.SingleToBF16(v))).ToArray(),
            DType.F16 => stored.SelectMany(v => BitConverter.GetBytes(HalfFloat.SingleToF16(v))).ToArray(),
            _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
        };
        string path = Path.Combine(_dir, $"w{_next++}.safetensors");
        new SafeTensorsWriter().Add("w", dtype, shape, bytes).Save(path);
        var file = SafeTensorsFile.Open(path);
        _files.Add(file);
        return new WeightMatrix(file.Get("w"), layout);
    }

    public void Dispose()
    {
        foreach (var f in _files) f.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Uniform values in [-1, 1).</summary>
    public static float[] Random(int count, int seed)
    {
        var rng = new Random(seed);
        var a = new float[count];
        for (int i = 0; i < count; i++) a[i] = (float)(rng.NextDouble() * 2 - 1);
        return a;
    }
}

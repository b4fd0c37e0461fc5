using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.SafeTensors;
using HeadPursuit.Runtime.Tensors;
using HeadPursuit.Tests;

namespace HeadPursuit.Runtime.Tests.Models;

/// <summary>
/// BF16 and F16 checkpoints: a fixture's weights are rounded to the 16-bit format and saved twice, once in
/// that format and once widened back to F32. Both hold the same values, so the model computed from the
/// 16-bit file (converted inside the kernels) must give the logits of the F32 file.
/// </summary>
public sealed class HalfPrecisionWeightTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("hp-half-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string Convert(string fixture, DType dtype, bool widen)
    {
        string dst = Path.Combine(_dir, $"{fixture}-{dtype}-{(widen ? "f32" : "half")}");
        Directory.CreateDirectory(dst);
        File.Copy(Fixtures.Path(fixture, "config.json"), Path.Combine(dst, "config.json"));
        using var f = SafeTensorsFile.Open(Fixtures.Path(fixture, "model.safetensors"));
        var w = new SafeTensorsWriter();
        foreach (var n in f.Names)
        {
            var v = f.Get(n).ToFloatArray();
            var bits = v.Select(x => dtype == DType.BF16 ? HalfFloat.SingleToBF16(x) : HalfFloat.SingleToF16(x)).ToArray();
            if (widen)
                w.Add(n, f.Get(n).Shape, bits.Select(b => dtype == DType.BF16 ? HalfFloat.BF16ToSingle(b) : HalfFloat.F16ToSingle(b)).ToArray());
            else
                w.Add(n, dtype, f.Get(n).Shape, bits.SelectMany(BitConverter.GetBytes).ToArray());
        }
        w.Save(Path.Combine(dst, "model.safetensors"));
        return dst;
    }

    static float[] Logits(string folder)
    {
        using var m = Transformer.Load(folder, new CpuBackend());
        int[] ids = [3, 14, 15, 92, 65, 35, 89, 79];
        using var cache = m.NewCache(1, ids.Length);
        return m.Forward(new ForwardRequest { Tokens = ids, Layout = BatchLayout.Single(ids.Length), Logits = LogitRows.All }, cache);
    }

    [Theory]
    [InlineData("gpt2-tiny", nameof(DType.BF16))]
    [InlineData("llama-tiny", nameof(DType.BF16))]
    [InlineData("qwen2-tiny", nameof(DType.F16))]
    public void SixteenBitWeightsGiveTheLogitsOfTheirF32Widening(string fixture, string dtypeName)
    {
        var dtype = Enum.Parse<DType>(dtypeName);
        var half = Logits(Convert(fixture, dtype, widen: false));
        var wide = Logits(Convert(fixture, dtype, widen: true));
        Assert.Equal(wide.Length, half.Length);
        for (int i = 0; i < half.Length; i++)
            Assert.True(Math.Abs(half[i] - wide[i]) <= 1e-5f * (1 + Math.Abs(wide[i])), $"logit {i}: {half[i]} vs {wide[i]}");
        // The rounding itself moved the logits: the test would notice a loader that silently read F32 bits.
        Assert.NotEqual(Logits(Fixtures.Path(fixture)), wide);
    }
}

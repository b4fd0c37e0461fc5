using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Cpu;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.SafeTensors;
using HeadPursuit.Runtime.Tensors;
using HeadPursuit.Tests;
using Xunit.Abstractions;

namespace HeadPursuit.Runtime.Tests.Cpu;

/// <summary>
/// A model with BF16 weights run with bf16 dot products (Gemm.Bf16DotProducts) against the same model with float32
/// activations: the logits move by the rounding of the activations to bf16 (8 significant bits, 2^-8 relative per
/// matmul input), compounded over the layers. The documented bound: max |logit change| &lt;= 2^-6 max |logit| (four
/// times one bf16 rounding of the largest logit); on these fixtures the change is 0.3-0.8% of max |logit|, 1.2-2.1
/// roundings' worth (bench/results/forward.md).
/// </summary>
[Collection(nameof(CpuParallel))]   // switches Gemm.Bf16DotProducts for the process
public sealed class Bf16DotProductModelTests(ITestOutputHelper output) : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("hp-bf16dot-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The fixture with every tensor rounded to BF16 (stored as BF16).</summary>
    string ToBf16(string fixture)
    {
        string dst = Path.Combine(_dir, fixture);
        Directory.CreateDirectory(dst);
        File.Copy(Fixtures.Path(fixture, "config.json"), Path.Combine(dst, "config.json"));
        using var f = SafeTensorsFile.Open(Fixtures.Path(fixture, "model.safetensors"));
        var w = new SafeTensorsWriter();
        foreach (var n in f.Names)
            w.Add(n, DType.BF16, f.Get(n).Shape, f.Get(n).ToFloatArray().SelectMany(x => BitConverter.GetBytes(HalfFloat.SingleToBF16(x))).ToArray());
        w.Save(Path.Combine(dst, "model.safetensors"));
        return dst;
    }

    [Theory]
    [InlineData("gpt2-tiny")]
    [InlineData("llama-tiny")]
    [InlineData("qwen2-tiny")]
    [InlineData("tinyworld-gpt2")]
    public void LogitsStayWithinTheBf16Bound(string fixture)
    {
        using var model = Transformer.Load(ToBf16(fixture), new CpuBackend());
        int[] ids = [3, 14, 15, 92, 65, 35, 89, 79, 32, 38, 46, 26, 43, 38, 32, 79];
        float[] Logits(bool bf16Dot)
        {
            Gemm.Bf16DotProducts = bf16Dot;
            try
            {
                using var cache = model.NewCache(1, ids.Length);
                return model.Forward(new ForwardRequest { Tokens = ids, Layout = BatchLayout.Single(ids.Length), Logits = LogitRows.All }, cache);
            }
            finally
            {
                Gemm.Bf16DotProducts = false;
            }
        }
        float[] exact = Logits(false), dot = Logits(true);
        double maxLogit = exact.Max(Math.Abs), maxError = 0;
        for (int i = 0; i < exact.Length; i++) maxError = Math.Max(maxError, Math.Abs(dot[i] - exact[i]));
        output.WriteLine($"{fixture}: max |logit| {maxLogit:F3}, max |error| {maxError:E3} = {maxError / maxLogit:E3} of it");
        Assert.True(maxError <= Math.Pow(2, -6) * maxLogit, $"{fixture}: logits moved by {maxError:E3}, over 2^-6 of max |logit| {maxLogit:F3}");
        Assert.NotEqual(exact, dot);   // the mode was on
    }
}

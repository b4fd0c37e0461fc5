using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Cpu;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Tests;

namespace HeadPursuit.Runtime.Tests.Cpu;

/// <summary>A whole forward pass gives the same logits, bit for bit, with every kernel family this machine runs.</summary>
[Collection(nameof(CpuParallel))]   // changes CpuSimd.Level for the process
public sealed class KernelFamilyForwardTests
{
    [Theory]
    [InlineData("gpt2-tiny")]
    [InlineData("llama-tiny")]
    public void EveryFamilyGivesTheSameLogits(string fixture)
    {
        using var model = Transformer.Load(Fixtures.Path(fixture), new CpuBackend());
        int[] ids = [3, 14, 15, 92, 65, 35, 89, 79];
        float[]? first = null;
        var saved = CpuSimd.Level;
        try
        {
            foreach (var level in CpuSimd.Available)
            {
                CpuSimd.Level = level;
                using var cache = model.NewCache(1, ids.Length);
                float[] logits = model.Forward(new ForwardRequest { Tokens = ids, Layout = BatchLayout.Single(ids.Length), Logits = LogitRows.All }, cache);
                if (first == null) first = logits;
                else Assert.True(first.SequenceEqual(logits), $"{fixture}: {level} logits differ from {CpuSimd.Available[0]}'s");
            }
        }
        finally
        {
            CpuSimd.Level = saved;
        }
    }
}

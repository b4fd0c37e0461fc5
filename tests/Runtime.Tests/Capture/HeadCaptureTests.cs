using System.Text.Json;
using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.SafeTensors;
using HeadPursuit.Tests;

namespace HeadPursuit.Runtime.Tests.Capture;

public sealed class HeadCaptureTests
{
    /// <summary>The somp fixture's Zbar is llama-tiny's z pooled over positions 1..T-1 of 16 prompts: streaming capture must reproduce it.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(16)]
    public void PooledCaptureMatchesTheSompFixturesZbar(int batchSize)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Fixtures.Path("somp", "cases.json")));
        var heads = doc.RootElement.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "heads_llama_tiny");
        var prompts = heads.GetProperty("prompts").EnumerateArray().Select(p => p.EnumerateArray().Select(x => x.GetInt32()).ToArray()).ToArray();
        using var somp = SafeTensorsFile.Open(Fixtures.Path("somp", "somp.safetensors"));
        var zbar = somp.Get("heads_llama_tiny.Zbar").ToFloatArray();   // [L, H, n, d_head]

        using var model = Transformer.Load(Fixtures.Path("llama-tiny"), new CpuBackend());
        var masks = prompts.Select(p => CapturePositionMasks.For(p, CapturePositions.AllButSpecial, new HashSet<int> { 1 })).ToArray();
        int calls = 0;
        var acts = new HeadCapture(model).Run(prompts, masks, batchSize, progress: (done, total) => { calls++; Assert.Equal(16, total); });

        Assert.Equal((2, 4, 16, 16), (acts.Layers, acts.Heads, acts.Samples, acts.DHead));
        Assert.Equal((16 + batchSize - 1) / batchSize, calls);
        for (int i = 0; i < zbar.Length; i++)
            Assert.True(Math.Abs(acts.Z[i] - zbar[i]) <= 1e-4 + 1e-4 * Math.Abs(zbar[i]), $"index {i}: {acts.Z[i]} vs {zbar[i]}");
    }

    [Fact]
    public void ActivationsRoundTripThroughSafetensorsWithMetadata()
    {
        var acts = new HeadActivations(2, 3, 4, 5, Enumerable.Range(0, 120).Select(i => i * 0.5f).ToArray())
        {
            Model = "llama-tiny", Positions = "mean over all positions except special tokens", Metadata = { ["prompts"] = "p.txt" },
        };
        string path = Path.Combine(Path.GetTempPath(), $"hp-acts-{Guid.NewGuid():N}.safetensors");
        try
        {
            acts.Save(path);
            var back = HeadActivations.Load(path);
            Assert.Equal(acts.Z, back.Z);
            Assert.Equal(("llama-tiny", acts.Positions, "p.txt"), (back.Model, back.Positions, back.Metadata["prompts"]));
            Assert.Equal(acts.Row(1, 2, 3).ToArray(), back.Row(1, 2, 3).ToArray());
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void EmptyPromptSetIsRefused()
    {
        using var model = Transformer.Load(Fixtures.Path("llama-tiny"), new CpuBackend());
        var e = Assert.Throws<ArgumentException>(() => new HeadCapture(model).Run([], []));
        Assert.Contains("empty", e.Message);
    }

    [Fact]
    public void PromptWithNothingToPoolIsRefused()
    {
        using var model = Transformer.Load(Fixtures.Path("llama-tiny"), new CpuBackend());
        var e = Assert.Throws<ArgumentException>(() => new HeadCapture(model).Run([[1]], [[false]]));
        Assert.Contains("no position to pool", e.Message);
    }
}

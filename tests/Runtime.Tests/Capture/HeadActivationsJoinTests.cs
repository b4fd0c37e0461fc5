using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Tests;

namespace HeadPursuit.Runtime.Tests.Capture;

public sealed class HeadActivationsJoinTests
{
    /// <summary>Capturing prompts in two shards (on batch boundaries, as `capture --shard` splits) and joining them gives
    /// exactly the one-process capture.</summary>
    [Fact]
    public void JoinedShardsEqualOneCapture()
    {
        using var backend = new CpuBackend();
        using var loaded = LoadedModel.Load(Fixtures.Path("tinyworld-gpt2"), backend);
        var tok = loaded.RequireTokenizer();
        int[][] prompts = [.. new[] { "The red ball", "A country far away", "Seven green trees grew", "She felt happy" }.Select(t => tok.Encode(t))];
        var masks = CapturePositionMasks.For(tok, prompts, CapturePositions.AllButSpecial);
        var capture = new HeadCapture(loaded.Model);
        var whole = capture.Run(prompts, masks, batchSize: 2);
        var joined = HeadActivationsJoin.Concat([capture.Run(prompts[..2], masks[..2], batchSize: 2), capture.Run(prompts[2..], masks[2..], batchSize: 2)]);
        Assert.Equal((whole.Layers, whole.Heads, whole.Samples, whole.DHead), (joined.Layers, joined.Heads, joined.Samples, joined.DHead));
        Assert.Equal(whole.Z, joined.Z);
    }

    [Fact]
    public void PartsOfAnotherShapeAreAnError()
    {
        var e = Assert.Throws<ArgumentException>(() => HeadActivationsJoin.Concat([new HeadActivations(2, 4, 3, 8), new HeadActivations(2, 3, 3, 8)]));
        Assert.Contains("H=3", e.Message);
    }

    /// <summary>Activations stamped with one model's config hash are refused for a model whose config.json differs.</summary>
    [Fact]
    public void ActivationsOfAnotherModelAreRefused()
    {
        string tinyworld = Fixtures.Path("tinyworld-gpt2"), gpt2 = Fixtures.Path("gpt2-tiny");
        var acts = new HeadActivations(1, 1, 1, 1) { Model = "tinyworld", Metadata = { [ModelIdentity.MetadataKey] = ModelIdentity.ConfigHash(tinyworld) } };
        ModelIdentity.Check(acts, "acts.safetensors", tinyworld, "tinyworld");
        var e = Assert.Throws<ArgumentException>(() => ModelIdentity.Check(acts, "acts.safetensors", gpt2, "gpt2-tiny"));
        Assert.Contains("acts.safetensors", e.Message);
        Assert.Contains("gpt2-tiny", e.Message);
    }
}

using System.Buffers.Binary;
using System.Text;
using HeadPursuit.Runtime.SafeTensors;
using HeadPursuit.Runtime.Tensors;

using HeadPursuit.Tests;

namespace HeadPursuit.Runtime.Tests.SafeTensors;

public sealed class SafeTensorsFileTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("hp-st-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string Write(string name, byte[] bytes)
    {
        string p = Path.Combine(_dir, name);
        File.WriteAllBytes(p, bytes);
        return p;
    }

    /// <summary>A safetensors file with a hand-written header and a data section of dataBytes zero bytes.</summary>
    static byte[] Raw(string headerJson, int dataBytes)
    {
        var h = Encoding.UTF8.GetBytes(headerJson);
        var b = new byte[8 + h.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(b, (ulong)h.Length);
        h.CopyTo(b, 8);
        return b;
    }

    [Fact]
    public void ReadsFixtureTensorsWithShapesAndValues()
    {
        using var f = SafeTensorsFile.Open(Fixtures.Path("gpt2-tiny", "model.safetensors"));
        var wte = f.Get("transformer.wte.weight");
        Assert.Equal(DType.F32, wte.DType);
        Assert.Equal([1024, 64], wte.Shape);
        var values = wte.ToFloatArray();
        Assert.Contains(values, v => v != 0f);
        Assert.Equal("pt", f.Metadata["format"]);
    }

    [Fact]
    public void WriterRoundTripsAllDtypesAndMetadata()
    {
        var w = new SafeTensorsWriter().AddMetadata("model", "unit");
        w.Add("a", [2, 3], new float[] { 1, 2, 3, 4, 5, 6 });
        w.Add("b", [2], new double[] { 0.5, -1.25 });
        w.Add("c", [3], new long[] { 7, -8, 9 });
        w.Add("d", DType.BF16, [2], [0x80, 0x3F, 0x00, 0xC0]); // 1.0, -2.0
        w.Add("e", DType.F16, [1], BitConverter.GetBytes(HalfFloat.SingleToF16(0.5f)));
        string p = Path.Combine(_dir, "rt.safetensors");
        w.Save(p);
        using var f = SafeTensorsFile.Open(p);
        Assert.Equal([1f, 2, 3, 4, 5, 6], f.Get("a").ToFloatArray());
        Assert.Equal([0.5, -1.25], f.Get("b").ToDoubleArray());
        Assert.Equal([7L, -8, 9], f.Get("c").ToInt64Array());
        Assert.Equal([1f, -2f], f.Get("d").ToFloatArray());
        Assert.Equal([0.5f], f.Get("e").ToFloatArray());
        Assert.Equal("unit", f.Metadata["model"]);
        Assert.Equal(0, (new FileInfo(p).Length - 8 - f.Get("a").ByteLength - 16 - 24 - 4 - 2) % 8);
    }

    [Fact]
    public void TruncatedFileNamesTheFileAndTheTensor()
    {
        var good = File.ReadAllBytes(Fixtures.Path("gpt2-tiny", "model.safetensors"));
        string p = Write("cut.safetensors", good[..(good.Length - 100)]);
        var e = Assert.Throws<ModelFormatException>(() => SafeTensorsFile.Open(p));
        Assert.Contains("cut.safetensors", e.Message);
        Assert.Contains("outside the data section", e.Message);
    }

    [Fact]
    public void TooShortFileIsRefused()
    {
        string p = Write("tiny.safetensors", [1, 2, 3]);
        var e = Assert.Throws<ModelFormatException>(() => SafeTensorsFile.Open(p));
        Assert.Contains("too short", e.Message);
    }

    [Fact]
    public void HeaderLengthBeyondTheFileIsRefused()
    {
        var b = Raw("{}", 0);
        BinaryPrimitives.WriteUInt64LittleEndian(b, 1000);
        var e = Assert.Throws<ModelFormatException>(() => SafeTensorsFile.Open(Write("h.safetensors", b)));
        Assert.Contains("header length 1000", e.Message);
    }

    [Fact]
    public void OffsetsOutsideTheFileAreRefused()
    {
        string p = Write("o.safetensors", Raw("""{"x":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", 8));
        var e = Assert.Throws<ModelFormatException>(() => SafeTensorsFile.Open(p));
        Assert.Contains("'x'", e.Message);
    }

    [Fact]
    public void ShapeTimesDtypeMustEqualTheByteSpan()
    {
        string p = Write("s.safetensors", Raw("""{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,16]}}""", 16));
        var e = Assert.Throws<ModelFormatException>(() => SafeTensorsFile.Open(p));
        Assert.Contains("'x' is F32 [3] = 12 bytes", e.Message);
    }

    [Fact]
    public void UnknownDtypeIsNamed()
    {
        string p = Write("d.safetensors", Raw("""{"x":{"dtype":"F8_E4M3","shape":[4],"data_offsets":[0,4]}}""", 4));
        var e = Assert.Throws<ModelFormatException>(() => SafeTensorsFile.Open(p));
        Assert.Contains("unknown dtype 'F8_E4M3'", e.Message);
        Assert.Contains("BF16", e.Message);
    }

    [Fact]
    public void OverlappingTensorsAreRefused()
    {
        string p = Write("ov.safetensors", Raw("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12));
        var e = Assert.Throws<ModelFormatException>(() => SafeTensorsFile.Open(p));
        Assert.Contains("overlap", e.Message);
    }

    [Fact]
    public void InvalidJsonHeaderIsRefused()
    {
        var e = Assert.Throws<ModelFormatException>(() => SafeTensorsFile.Open(Write("j.safetensors", Raw("{not json}", 0))));
        Assert.Contains("not valid JSON", e.Message);
    }

    [Fact]
    public void MissingTensorNamesTheTensorAndTheFolder()
    {
        using var store = WeightStore.Open(Fixtures.Path("llama-tiny"));
        var e = Assert.Throws<ModelFormatException>(() => store.Get("model.layers.9.mlp.up_proj.weight"));
        Assert.Contains("model.layers.9.mlp.up_proj.weight", e.Message);
        Assert.Contains("llama-tiny", e.Message);
    }

    [Fact]
    public void ShardedCheckpointResolvesEveryTensorThroughTheIndex()
    {
        using var store = WeightStore.Open(Fixtures.Path("llava-tiny", "new-layout"));
        Assert.True(store.Contains("lm_head.weight"));
        Assert.Equal([1024, 64], store.Get("lm_head.weight").Shape);
        Assert.True(store.Names.Count > 30);
    }

    [Fact]
    public void Bf16RoundingIsNearestEven()
    {
        Assert.Equal(0x3F80, HalfFloat.SingleToBF16(1.0f));
        // 1 + 2^-8 is exactly halfway between two bf16 values: ties go to the even mantissa (1.0).
        Assert.Equal(0x3F80, HalfFloat.SingleToBF16(1.0f + MathF.Pow(2, -8)));
        Assert.Equal(0x3F82, HalfFloat.SingleToBF16(1.0f + 3 * MathF.Pow(2, -8)));
        Assert.Equal(1.0f, HalfFloat.BF16ToSingle(0x3F80));
    }
}

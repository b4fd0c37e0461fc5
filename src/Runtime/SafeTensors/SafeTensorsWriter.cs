using System.Runtime.InteropServices;
using System.Text.Json;
using HeadPursuit.Runtime.Files;
using HeadPursuit.Runtime.Tensors;

namespace HeadPursuit.Runtime.SafeTensors;

/// <summary>
/// Collects named tensors and writes them as one .safetensors file (names sorted, header padded with
/// spaces to a multiple of 8, as the reference implementation does), loadable by Python's safetensors.
/// </summary>
internal sealed class SafeTensorsWriter
{
    readonly SortedDictionary<string, (DType DType, int[] Shape, byte[] Bytes)> _tensors = new(StringComparer.Ordinal);
    readonly Dictionary<string, string> _metadata = new();

    public SafeTensorsWriter AddMetadata(string key, string value) { _metadata[key] = value; return this; }

    public SafeTensorsWriter Add(string name, DType dtype, int[] shape, byte[] bytes)
    {
        long expected = TensorView.ElementCountOf(shape) * DTypes.SizeOf(dtype);
        if (bytes.Length != expected)
            throw new ArgumentException($"tensor '{name}': {dtype} [{string.Join(", ", shape)}] needs {expected} bytes, got {bytes.Length}");
        _tensors[name] = (dtype, (int[])shape.Clone(), bytes);
        return this;
    }

    public SafeTensorsWriter Add(string name, int[] shape, ReadOnlySpan<float> data) => Add(name, DType.F32, shape, MemoryMarshal.AsBytes(data).ToArray());
    public SafeTensorsWriter Add(string name, int[] shape, ReadOnlySpan<double> data) => Add(name, DType.F64, shape, MemoryMarshal.AsBytes(data).ToArray());
    public SafeTensorsWriter Add(string name, int[] shape, ReadOnlySpan<long> data) => Add(name, DType.I64, shape, MemoryMarshal.AsBytes(data).ToArray());

    public byte[] ToBytes()
    {
        using var ms = new MemoryStream();
        WriteTo(ms);
        return ms.ToArray();
    }

    /// <summary>Written as every output is (<see cref="AtomicFile"/>): all of it or nothing.</summary>
    public void Save(string path) => AtomicFile.Write(path, WriteTo);

    void WriteTo(Stream s)
    {
        var header = new MemoryStream();
        using (var w = new Utf8JsonWriter(header))
        {
            w.WriteStartObject();
            if (_metadata.Count > 0)
            {
                w.WriteStartObject("__metadata__");
                foreach (var (k, v) in _metadata) w.WriteString(k, v);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, t) in _tensors)
            {
                w.WriteStartObject(name);
                w.WriteString("dtype", t.DType.ToString());
                w.WriteStartArray("shape");
                foreach (int d in t.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + t.Bytes.Length);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += t.Bytes.Length;
            }
            w.WriteEndObject();
        }
        int pad = (int)((8 - header.Length % 8) % 8);
        for (int i = 0; i < pad; i++) header.WriteByte((byte)' ');
        Span<byte> len = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
        s.Write(len);
        header.Position = 0;
        header.CopyTo(s);
        foreach (var t in _tensors.Values) s.Write(t.Bytes);
    }

}

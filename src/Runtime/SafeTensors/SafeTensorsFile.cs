using System.IO.MemoryMappedFiles;
using System.Text.Json;
using HeadPursuit.Runtime.Input;
using HeadPursuit.Runtime.Tensors;

namespace HeadPursuit.Runtime.SafeTensors;

/// <summary>
/// One memory-mapped .safetensors file. Layout: u64 little-endian header length N, N bytes of UTF-8
/// JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}, then the data
/// section; offsets are relative to its start. Everything is validated when the file is opened, so a
/// view handed out later always lies inside the file.
/// </summary>
internal sealed unsafe class SafeTensorsFile : IDisposable
{
    const long MaxHeaderBytes = 100L << 20;

    readonly MemoryMappedFile? _map;
    readonly MemoryMappedViewAccessor? _view;
    readonly byte* _base;
    readonly Dictionary<string, TensorView> _tensors = new(StringComparer.Ordinal);

    public string Path { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }
    public IReadOnlyCollection<string> Names => _tensors.Keys;

    SafeTensorsFile(string path)
    {
        Path = path;
        if (!File.Exists(path)) throw new ModelFormatException($"{path}: file not found");
        var info = new FileInfo(path);
        long size = (info.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? info).Length; // a symlink (HF cache snapshot) has its blob's size
        if (size < 8) throw new ModelFormatException($"{path}: {size} bytes is too short for a safetensors file (it needs an 8-byte header length)");

        _map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        _view = _map.CreateViewAccessor(0, size, MemoryMappedFileAccess.Read);
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref _base);
        _base += _view.PointerOffset;
        try { Metadata = ParseHeader(size); }
        catch { Dispose(); throw; }
    }

    public static SafeTensorsFile Open(string path) => new(path);

    public bool Contains(string name) => _tensors.ContainsKey(name);

    public TensorView Get(string name) =>
        _tensors.TryGetValue(name, out var v) ? v : throw new ModelFormatException($"{Path}: no tensor named '{name}'");

    public bool TryGet(string name, out TensorView view) => _tensors.TryGetValue(name, out view!);

    Dictionary<string, string> ParseHeader(long fileSize)
    {
        long headerLen = (long)*(ulong*)_base;
        if (headerLen <= 0 || headerLen > MaxHeaderBytes || 8 + headerLen > fileSize)
            throw new ModelFormatException($"{Path}: header length {headerLen} does not fit in a file of {fileSize} bytes (truncated or not a safetensors file)");
        long dataStart = 8 + headerLen;
        long dataSize = fileSize - dataStart;

        string header = TextFile.Decode(new ReadOnlySpan<byte>(_base + 8, (int)headerLen), $"{Path}: header");
        using var doc = JsonFile.ParseText(header, $"{Path}: header");
        if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new ModelFormatException($"{Path}: header is not a JSON object");

        var metadata = new Dictionary<string, string>();
        var spans = new List<(long Begin, long End, string Name)>();
        foreach (var entry in doc.RootElement.EnumerateObject())
        {
            if (entry.Name == "__metadata__")
            {
                // the format's metadata is a map of strings (safetensors refuses anything else)
                foreach (var m in JsonValues.Object(entry.Value, $"{Path}: header field \"__metadata__\"").EnumerateObject())
                    metadata[m.Name] = JsonValues.String(m.Value, $"{Path}: header field \"__metadata__.{m.Name}\"");
                continue;
            }
            var (dtype, shape, begin, end) = ParseEntry(entry);
            if (begin < 0 || end < begin || end > dataSize)
                throw new ModelFormatException($"{Path}: tensor '{entry.Name}' has data_offsets [{begin}, {end}] outside the data section of {dataSize} bytes (truncated file?)");
            long expected = TensorView.ElementCountOf(shape) * DTypes.SizeOf(dtype);
            if (end - begin != expected)
                throw new ModelFormatException($"{Path}: tensor '{entry.Name}' is {dtype} [{string.Join(", ", shape)}] = {expected} bytes but its data_offsets span {end - begin}");
            spans.Add((begin, end, entry.Name));
            _tensors[entry.Name] = new TensorView(entry.Name, dtype, shape, _base + dataStart + begin, Path);
        }
        spans.Sort((a, b) => a.Begin.CompareTo(b.Begin));
        for (int i = 1; i < spans.Count; i++)
            if (spans[i].Begin < spans[i - 1].End)
                throw new ModelFormatException($"{Path}: tensors '{spans[i - 1].Name}' and '{spans[i].Name}' overlap in the data section");
        return metadata;
    }

    (DType, int[], long, long) ParseEntry(JsonProperty entry)
    {
        string where = $"{Path}: tensor '{entry.Name}'";
        var e = entry.Value;
        if (e.ValueKind != JsonValueKind.Object) throw new ModelFormatException($"{where}: header entry is not an object");
        if (!e.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String)
            throw new ModelFormatException($"{where}: missing dtype");
        if (!DTypes.TryParse(dt.GetString()!, out var dtype))
            throw new ModelFormatException($"{where}: unknown dtype '{dt.GetString()}' (supported: {DTypes.Supported})");
        if (!e.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array)
            throw new ModelFormatException($"{where}: missing shape");
        var shape = new int[sh.GetArrayLength()];
        int k = 0;
        foreach (var d in sh.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int v) || v < 0)
                throw new ModelFormatException($"{where}: shape {sh.GetRawText()} is not a list of non-negative integers");
            shape[k++] = v;
        }
        if (!e.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2
            || off[0].ValueKind != JsonValueKind.Number || off[1].ValueKind != JsonValueKind.Number
            || !off[0].TryGetInt64(out long begin) || !off[1].TryGetInt64(out long end))
            throw new ModelFormatException($"{where}: data_offsets must be [begin, end]");
        return (dtype, shape, begin, end);
    }

    public void Dispose()
    {
        if (_view != null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }
        _map?.Dispose();
    }
}

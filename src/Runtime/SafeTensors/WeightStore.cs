using HeadPursuit.Runtime.Hub;
using HeadPursuit.Runtime.Tensors;

namespace HeadPursuit.Runtime.SafeTensors;

/// <summary>
/// All the weights of a checkpoint folder: a single model.safetensors, or the shards listed by
/// model.safetensors.index.json ({"metadata": {...}, "weight_map": {tensor: shard file}}).
/// Every file stays memory-mapped for the lifetime of the store.
/// </summary>
internal sealed class WeightStore : IDisposable
{
    readonly List<SafeTensorsFile> _files = new();
    readonly Dictionary<string, SafeTensorsFile> _owner = new(StringComparer.Ordinal);

    public string Folder { get; }
    public IReadOnlyCollection<string> Names => _owner.Keys;

    WeightStore(string folder) { Folder = folder; }

    public static WeightStore Open(string folder)
    {
        var store = new WeightStore(folder);
        try
        {
            string index = Path.Combine(folder, "model.safetensors.index.json");
            string single = Path.Combine(folder, "model.safetensors");
            if (File.Exists(index)) store.LoadSharded(index);
            else if (File.Exists(single)) store.Add(SafeTensorsFile.Open(single));
            else throw new ModelFormatException($"{folder}: neither model.safetensors nor model.safetensors.index.json found");
        }
        catch { store.Dispose(); throw; }
        return store;
    }

    void LoadSharded(string indexPath)
    {
        var shards = new Dictionary<string, SafeTensorsFile>();
        foreach (var (tensor, shard) in ShardIndex.ReadWeightMap(indexPath))
        {
            if (!shards.TryGetValue(shard, out var file))
            {
                file = SafeTensorsFile.Open(Path.Combine(Folder, shard));
                shards[shard] = file;
                _files.Add(file);
            }
            if (!file.Contains(tensor))
                throw new ModelFormatException($"{indexPath}: weight_map says '{tensor}' is in {shard}, but that shard has no such tensor");
            _owner[tensor] = file;
        }
    }

    void Add(SafeTensorsFile file)
    {
        _files.Add(file);
        foreach (var n in file.Names) _owner[n] = file;
    }

    public bool Contains(string name) => _owner.ContainsKey(name);

    public TensorView Get(string name) =>
        _owner.TryGetValue(name, out var f) ? f.Get(name)
        : throw new ModelFormatException($"{Folder}: missing tensor '{name}' (searched {string.Join(", ", _files.Select(x => Path.GetFileName(x.Path)))})");

    public void Dispose()
    {
        foreach (var f in _files) f.Dispose();
        _files.Clear();
    }
}

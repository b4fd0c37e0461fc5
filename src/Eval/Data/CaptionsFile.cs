using HeadPursuit.Runtime.Input;
using System.Text.Json;

namespace HeadPursuit.Eval.Data;

/// <summary>
/// Reference captions per image, from JSON {"image.jpg": ["caption", ...], ...} or a Flickr30k-style token file with
/// one "image.jpg#k&lt;TAB&gt;caption" per line. Images keep the order they first appear in.
/// </summary>
internal static class CaptionsFile
{
    public static IReadOnlyDictionary<string, string[]> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: captions file not found", path);
        var result = path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? ReadJson(path) : ReadTsv(path);
        if (result.Count == 0) throw new ArgumentException($"{path}: no captions");
        return result;
    }

    static Dictionary<string, string[]> ReadJson(string path)
    {
        using var doc = Json.Parse(TextFile.Read(path), path);
        if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new ArgumentException($"{path}: expected an object {{image: [captions]}}");
        var result = new Dictionary<string, string[]>();
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            var captions = Json.Strings(doc.RootElement, p.Name, path);
            if (captions.Length == 0) throw new ArgumentException($"{path}: image \"{p.Name}\" has no captions");
            result[p.Name] = captions;
        }
        return result;
    }

    static Dictionary<string, string[]> ReadTsv(string path)
    {
        var lists = new Dictionary<string, List<string>>();
        int lineNo = 0;
        foreach (var line in TextFile.ReadLines(path))
        {
            lineNo++;
            if (line.Trim().Length == 0) continue;
            int tab = line.IndexOf('\t'), hash = tab < 0 ? -1 : line.LastIndexOf('#', tab);
            if (tab < 0 || hash <= 0) throw new ArgumentException($"{path}:{lineNo}: expected \"image#k<TAB>caption\"");
            string image = line[..hash];
            if (!lists.TryGetValue(image, out var list)) lists[image] = list = [];
            list.Add(line[(tab + 1)..].Trim());
        }
        return lists.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
    }
}

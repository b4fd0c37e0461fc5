using System.Globalization;

namespace HeadPursuit.Cli;

/// <summary>
/// The parsed words of one command: positional arguments and --name value options (--flag alone for booleans).
/// Every option a command reads is recorded, so unknown options can be reported instead of silently ignored.
/// </summary>
public sealed class CommandLine
{
    readonly Dictionary<string, string?> _options = new();
    readonly HashSet<string> _read = new();

    public List<string> Positional { get; } = new();

    public CommandLine(IEnumerable<string> args)
    {
        var list = args.ToList();
        for (int i = 0; i < list.Count; i++)
        {
            string a = list[i];
            if (!a.StartsWith("--")) { Positional.Add(a); continue; }
            string name = a[2..];
            int eq = name.IndexOf('=');
            if (eq >= 0) _options[name[..eq]] = name[(eq + 1)..];
            else if (i + 1 < list.Count && !list[i + 1].StartsWith("--")) _options[name] = list[++i];
            else _options[name] = null;
        }
    }

    public bool Flag(string name) { _read.Add(name); return _options.ContainsKey(name); }

    public string? String(string name) { _read.Add(name); return _options.GetValueOrDefault(name); }

    public string Required(string name) => String(name) ?? throw new ArgumentException($"missing --{name}");

    public int Int(string name, int fallback)
    {
        string? s = String(name);
        if (s == null) return fallback;
        return int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : throw new ArgumentException($"--{name} expects an integer, got '{s}'");
    }

    public float Float(string name, float fallback)
    {
        string? s = String(name);
        if (s == null) return fallback;
        return float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) ? v : throw new ArgumentException($"--{name} expects a number, got '{s}'");
    }

    public int[] Ints(string name)
    {
        string? s = String(name);
        if (s == null) return [];
        return s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(x => int.TryParse(x, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : throw new ArgumentException($"--{name}: '{x}' is not an integer"))
                .ToArray();
    }

    /// <summary>Throws if an option was given that the command never read (a typo, or a flag of another command).</summary>
    public void RejectUnknown()
    {
        var unknown = _options.Keys.Where(k => !_read.Contains(k)).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"unknown option{(unknown.Count > 1 ? "s" : "")}: {string.Join(", ", unknown.Select(u => "--" + u))}");
    }
}

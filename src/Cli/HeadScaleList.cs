using HeadPursuit.Somp;

namespace HeadPursuit.Cli;

/// <summary>
/// Head scales on the command line: --scale L3H5=-1,L1H0=5 (generate), --alpha A (steer). A scale is a finite number
/// within ±<see cref="Limit"/>: far beyond any useful scale (-1 suppresses, 0 ablates, 5 enhances), and far below the
/// values at which float32 activations overflow and generation turns silently empty.
/// </summary>
static class HeadScaleList
{
    public const double Limit = 1e6;

    public static float Alpha(string option, string text) => Opt.Number(option, text, -Limit, Limit, aboveMin: false, why: "");

    /// <summary>"L3H5=-1,L1H0=5": the heads (0-based) and their scales; a head given twice is an error.</summary>
    public static (HeadId Head, float Alpha)[] Parse(string text)
    {
        var items = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(item =>
        {
            int eq = item.IndexOf('=');
            if (eq < 0) throw new ArgumentException($"--scale '{item}' is not HEAD=ALPHA, e.g. L3H5=-1");
            HeadId head;
            try { head = HeadId.Parse(item[..eq]); }
            catch (FormatException e) { throw new ArgumentException($"--scale: {e.Message}"); }
            return (head, Alpha($"--scale {head}", item[(eq + 1)..]));
        }).ToArray();
        if (items.Length == 0) throw new ArgumentException($"--scale '{text}' names no heads");
        if (items.GroupBy(i => i.head).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new ArgumentException($"--scale gives {twice.Key} twice");
        return items;
    }
}

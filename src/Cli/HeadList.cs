using HeadPursuit.Somp;

namespace HeadPursuit.Cli;

/// <summary>A --heads option: head names separated by commas, e.g. L3H5,L1H0.</summary>
static class HeadList
{
    public static HeadId[] Parse(string list)
    {
        HeadId[] heads = [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(h =>
        {
            try { return HeadId.Parse(h); }
            catch (FormatException e) { throw new ArgumentException($"--heads: {e.Message}"); }
        })];
        return heads.Length > 0 ? heads : throw new ArgumentException($"--heads '{list}' names no heads");
    }
}

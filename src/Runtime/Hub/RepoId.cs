using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace HeadPursuit.Runtime.Hub;

/// <summary>
/// A model repository id on the hub: "name" or "org/name" (letters, digits, '_', '-', '.'; each part
/// starts and ends with a letter, digit or '_'; no "--" or ".."; at most 96 characters per part), as
/// huggingface_hub validates it. Its cache folder is models--{org}--{name}.
/// </summary>
public sealed partial record RepoId
{
    public string Value { get; }

    RepoId(string value) { Value = value; }

    /// <summary>The folder under the hub cache: "models--" + the id with '/' replaced by "--".</summary>
    public string CacheFolderName => "models--" + Value.Replace("/", "--");

    public override string ToString() => Value;

    public static bool TryParse(string text, [NotNullWhen(true)] out RepoId? id)
    {
        id = null;
        if (!Shape().IsMatch(text) || text.Contains("--") || text.Contains("..") || text.EndsWith(".git", StringComparison.Ordinal))
            return false;
        id = new RepoId(text);
        return true;
    }

    [GeneratedRegex(@"^(\w[\w.-]{0,94}\w/|\w/)?(\w[\w.-]{0,94}\w|\w)$", RegexOptions.CultureInvariant | RegexOptions.ECMAScript)]
    private static partial Regex Shape();
}

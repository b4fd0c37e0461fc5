using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace HeadPursuit.Runtime.Hub;

/// <summary>
/// A repository on the hub: its type and its id, "name" or "org/name" (letters, digits, '_', '-', '.'; each
/// part starts and ends with a letter, digit or '_'; no "--" or ".."; at most 96 characters per part), as
/// huggingface_hub validates it. Its cache folder is {models|datasets}--{org}--{name}.
/// </summary>
internal sealed partial record RepoId
{
    public string Value { get; }
    public RepoType Type { get; }

    RepoId(string value, RepoType type)
    {
        Value = value;
        Type = type;
    }

    /// <summary>The folder under the hub cache: "models--" or "datasets--" + the id with '/' replaced by "--".</summary>
    public string CacheFolderName => Type.Plural() + "--" + Value.Replace("/", "--");

    /// <summary>The id for models ("org/name"), "dataset org/name" for datasets, as error messages name them.</summary>
    public override string ToString() => Type == RepoType.Model ? Value : $"dataset {Value}";

    /// <summary>Parses a model id.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out RepoId? id) => TryParse(text, RepoType.Model, out id);

    public static bool TryParse(string text, RepoType type, [NotNullWhen(true)] out RepoId? id)
    {
        id = null;
        if (!Shape().IsMatch(text) || text.Contains("--") || text.Contains("..") || text.EndsWith(".git", StringComparison.Ordinal))
            return false;
        id = new RepoId(text, type);
        return true;
    }

    [GeneratedRegex(@"^(\w[\w.-]{0,94}\w/|\w/)?(\w[\w.-]{0,94}\w|\w)$", RegexOptions.CultureInvariant | RegexOptions.ECMAScript)]
    private static partial Regex Shape();
}

using System.Text;
using System.Text.RegularExpressions;

namespace HeadPursuit.Runtime.Hub;

/// <summary>
/// Matches the data_files patterns of a dataset card against a repository's file list, as the datasets library
/// resolves them on the hub (fsspec's glob, datasets' data_files.resolve_pattern):
/// <list type="bullet">
/// <item>'*' matches within one path component, '?' one character, "[...]" and "[!...]" a character class;</item>
/// <item>"**/" matches any number of directories (none included), and a "**" that ends the pattern anything below;</item>
/// <item>a file that is hidden or inside a hidden folder (a component starting with '.') is left out unless the
/// pattern has as many hidden components; likewise folders starting with "__" (such as __pycache__);</item>
/// <item>the files the datasets library never reads as data (README.md, config.json, dataset_info.json,
/// dataset_infos.json, dummy_data.zip, dataset_dict.json) are left out unless the pattern names them.</item>
/// </list>
/// </summary>
static class DataFileGlob
{
    static readonly string[] FilesToIgnore =
        ["README.md", "config.json", "dataset_info.json", "dataset_infos.json", "dummy_data.zip", "dataset_dict.json"];

    /// <summary>The files of <paramref name="files"/> that <paramref name="pattern"/> matches, in ordinal order.</summary>
    public static IEnumerable<string> Match(IEnumerable<string> files, string pattern)
    {
        var regex = ToRegex(pattern);
        string patternName = BaseName(pattern);
        int hiddenInPattern = pattern.Split('/').Count(IsHidden);
        int specialInPattern = Parents(pattern).Count(IsSpecial);
        return files
            .Where(f => regex.IsMatch(f)
                && (!FilesToIgnore.Contains(BaseName(f)) || BaseName(f) == patternName)
                && f.Split('/').Count(IsHidden) == hiddenInPattern
                && Parents(f).Count(IsSpecial) == specialInPattern)
            .Order(StringComparer.Ordinal);
    }

    /// <summary>The pattern as an anchored regular expression over '/'-separated paths.</summary>
    internal static Regex ToRegex(string pattern)
    {
        var re = new StringBuilder("^");
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                bool slashAfter = i + 2 < pattern.Length && pattern[i + 2] == '/';
                re.Append(slashAfter ? "(?:.*/)?" : ".*");
                i += slashAfter ? 2 : 1;
            }
            else if (c == '*') re.Append("[^/]*");
            else if (c == '?') re.Append("[^/]");
            else if (c == '[' && i + 2 <= pattern.Length && pattern.IndexOf(']', i + 2) is int close && close > i)
            {
                string body = pattern[(i + 1)..close];
                re.Append('[').Append(body.StartsWith('!') ? "^" + Escape(body[1..]) : Escape(body)).Append(']');
                i = close;
            }
            else re.Append(Regex.Escape(c.ToString()));
        }
        return new Regex(re.Append('$').ToString(), RegexOptions.CultureInvariant);

        static string Escape(string classBody) => classBody.Replace(@"\", @"\\").Replace("[", @"\[").Replace("^", @"\^");
    }

    static string BaseName(string path) => path[(path.LastIndexOf('/') + 1)..];

    static IEnumerable<string> Parents(string path) => path.Split('/')[..^1];

    static bool IsHidden(string part) => part.StartsWith('.') && part.Any(ch => ch != '.');

    static bool IsSpecial(string part) => part.StartsWith("__", StringComparison.Ordinal);
}

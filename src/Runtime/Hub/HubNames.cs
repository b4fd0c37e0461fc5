namespace HeadPursuit.Runtime.Hub;

/// <summary>
/// Checks on names that come from the hub or from a user and end up as cache paths, so that a hostile
/// header or index file cannot make us write outside the repository's cache folder.
/// </summary>
static class HubNames
{
    /// <summary>A single path component made of letters, digits, '.', '_', '-', not starting with '.' (etags, commit shas).</summary>
    public static bool IsSafeName(string name) =>
        name.Length > 0 && name[0] != '.' && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    /// <summary>A relative '/'-separated path with no empty, "." or ".." segment (repo file names, revisions).</summary>
    public static bool IsSafeRelativePath(string path) =>
        path.Length > 0 && !path.Contains('\\') && !Path.IsPathRooted(path)
        && path.Split('/').All(s => s.Length > 0 && s != "." && s != "..");
}

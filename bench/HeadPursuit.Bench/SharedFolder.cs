namespace HeadPursuit.Bench;

/// <summary>The project's ../shared folders (fixtures, peers), found above the running binary or named by an environment variable.</summary>
static class SharedFolder
{
    /// <summary>../shared/<paramref name="name"/> beside the repository, or the folder the environment variable names.</summary>
    public static string Find(string name, string environmentVariable)
    {
        string? env = Environment.GetEnvironmentVariable(environmentVariable);
        if (!string.IsNullOrEmpty(env)) return env;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "HeadPursuit.sln")))
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", name));
        throw new DirectoryNotFoundException($"cannot find HeadPursuit.sln above {AppContext.BaseDirectory} to locate ../shared/{name} (or set {environmentVariable})");
    }
}

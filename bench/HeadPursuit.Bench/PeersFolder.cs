namespace HeadPursuit.Bench;

/// <summary>
/// The programs we measure ourselves against (PyTorch, llama.cpp, LibTorch) live outside the repository, in the peers
/// folder beside it (its README says how to run them): this is the one place that names it. HEADPURSUIT_PEERS or
/// --peers-dir may name another folder. The peers the project writes itself (bench/peers, outside HeadPursuit.sln)
/// are found here too.
/// </summary>
static class PeersFolder
{
    public static string Find()
    {
        string? env = Environment.GetEnvironmentVariable("HEADPURSUIT_PEERS");
        if (!string.IsNullOrEmpty(env)) return env;
        return Path.GetFullPath(Path.Combine(RepositoryRoot(), "..", "shared", "peers"));
    }

    /// <summary>The folder of the project's own peer <paramref name="project"/>: bench/peers/PROJECT.</summary>
    public static string Ours(string project) => Path.Combine(RepositoryRoot(), "bench", "peers", project);

    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "HeadPursuit.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"cannot find HeadPursuit.sln above {AppContext.BaseDirectory} to locate the peers (set HEADPURSUIT_PEERS or --peers-dir for the shared ones)");
    }
}

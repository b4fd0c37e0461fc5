namespace HeadPursuit.Bench;

/// <summary>
/// The programs we measure ourselves against (PyTorch, llama.cpp, LibTorch) live outside the repository, in the peers
/// folder beside it (its README says how to run them): this is the one place that names it. HEADPURSUIT_PEERS or
/// --peers-dir may name another folder.
/// </summary>
static class PeersFolder
{
    public static string Find()
    {
        string? env = Environment.GetEnvironmentVariable("HEADPURSUIT_PEERS");
        if (!string.IsNullOrEmpty(env)) return env;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "HeadPursuit.sln")))
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "peers"));
        throw new DirectoryNotFoundException($"cannot find HeadPursuit.sln above {AppContext.BaseDirectory} to locate the peers folder (set HEADPURSUIT_PEERS or --peers-dir)");
    }
}

namespace HeadPursuit.Eval.Tests;

/// <summary>Files of this repository (data/, experiments/), found from the test binary by walking up to HeadPursuit.sln.</summary>
static class RepoFiles
{
    public static string Path(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "HeadPursuit.sln")))
                return System.IO.Path.Combine([dir.FullName, .. parts]);
        throw new DirectoryNotFoundException("cannot find HeadPursuit.sln above " + AppContext.BaseDirectory);
    }
}

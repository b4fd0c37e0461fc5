namespace HeadPursuit.Kernels.Tests;

/// <summary>Paths inside this repository (found by walking up to HeadPursuit.sln), for tests that read source files.</summary>
static class RepoFiles
{
    public static string Root { get; } = Find();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "HeadPursuit.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("cannot find HeadPursuit.sln above " + AppContext.BaseDirectory);
    }
}

namespace HeadPursuit.Tests;

/// <summary>
/// Locates the reference fixtures: tests/fixtures in this repository (or the folder named by HEADPURSUIT_FIXTURES).
/// A missing fixture is a test failure, never a skip.
/// </summary>
public static class Fixtures
{
    public static string Root { get; } = Find();

    public static string Path(params string[] parts)
    {
        string p = System.IO.Path.Combine([Root, .. parts]);
        if (!File.Exists(p) && !Directory.Exists(p)) throw new FileNotFoundException($"fixture not found: {p}");
        return p;
    }

    static string Find()
    {
        string? env = Environment.GetEnvironmentVariable("HEADPURSUIT_FIXTURES");
        if (!string.IsNullOrEmpty(env)) return env;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "HeadPursuit.sln")))
                return System.IO.Path.Combine(dir.FullName, "tests", "fixtures");
        throw new DirectoryNotFoundException("cannot find HeadPursuit.sln above " + AppContext.BaseDirectory + " to locate tests/fixtures");
    }
}

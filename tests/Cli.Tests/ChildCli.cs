using System.Diagnostics;

namespace HeadPursuit.Cli.Tests;

/// <summary>
/// The built headpursuit command (headpursuit.dll beside the tests) run as a child process, for what the in-process
/// <see cref="CliRunner"/> cannot show: a process killed with SIGKILL, two processes at once, and a command run in a
/// mount namespace of its own (unshare) where a small or read-only tmpfs is mounted for it.
/// </summary>
static class ChildCli
{
    static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
    static string Dll => Path.Combine(AppContext.BaseDirectory, "headpursuit.dll");

    /// <summary>The command line that runs headpursuit with <paramref name="args"/>, quoted for sh.</summary>
    public static string ShellLine(params string[] args) => string.Join(" ", new[] { Dotnet, Dll }.Concat(args).Select(Quote));

    static string Quote(string s) => "'" + s.Replace("'", "'\\''") + "'";

    /// <summary>Starts headpursuit in <paramref name="folder"/>, its output collected.</summary>
    public static Process Start(string folder, params string[] args)
    {
        var info = new ProcessStartInfo(Dotnet) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Dll);
        foreach (string a in args) info.ArgumentList.Add(a);
        return Process.Start(info)!;
    }

    public static (int Exit, string Out, string Err) Run(string folder, params string[] args) => Wait(Start(folder, args));

    /// <summary>
    /// Runs <paramref name="script"/> with sh as root of a new user and mount namespace (unshare -rm): it may mount a
    /// tmpfs, which only it sees and which goes away with it.
    /// </summary>
    public static (int Exit, string Out, string Err) InOwnMounts(string script)
    {
        var info = new ProcessStartInfo("unshare") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "--mount", "--map-root-user", "sh", "-c", script }) info.ArgumentList.Add(a);
        return Wait(Process.Start(info)!);
    }

    static (int Exit, string Out, string Err) Wait(Process p)
    {
        using (p)
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(entireProcessTree: true); throw new TimeoutException("headpursuit did not end in 5 minutes"); }
            return (p.ExitCode, stdout.Result, stderr.Result);
        }
    }

    /// <summary>
    /// Starts headpursuit and kills it with SIGKILL <paramref name="after"/> its start, or after the file
    /// <paramref name="appears"/> has appeared when given (if it has not ended by then); true if it was killed.
    /// </summary>
    public static bool KillAfter(TimeSpan after, string folder, string[] args, string? appears = null)
    {
        using var p = Start(folder, args);
        _ = p.StandardOutput.ReadToEndAsync();
        _ = p.StandardError.ReadToEndAsync();
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (appears != null && !File.Exists(appears) && !p.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(10);
        if (p.WaitForExit(after)) return false;
        p.Kill();   // SIGKILL on Unix: no handler runs, no file is closed tidily
        p.WaitForExit();
        return true;
    }
}

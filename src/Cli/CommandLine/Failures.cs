using System.Reflection;
using HeadPursuit.Kernels;
using HeadPursuit.Runtime;

namespace HeadPursuit.Cli;

/// <summary>
/// An exception that ended a command, as one "error:" line (and the hint lines its message may hold). Bad input (a refused file, field or option; a file that
/// cannot be read or written; the hub out of reach) exits 1 with its message. Anything else is a bug in headpursuit:
/// it says so, where to report it, and the exception's type and message; exit 70, and the stack trace only with
/// HEADPURSUIT_DEBUG=1.
/// </summary>
static class Failures
{
    public static int Report(Exception e, StatusOutput status)
    {
        while (e is AggregateException { InnerExceptions.Count: 1 } or TargetInvocationException && e.InnerException != null) e = e.InnerException!;
        bool debug = Environment.GetEnvironmentVariable("HEADPURSUIT_DEBUG") == "1";
        if (IsBadInput(e))
        {
            status.Error("error: " + Message(e));
            if (debug) status.Error(e.ToString());
            return ExitCode.BadInput;
        }
        status.Error($"error: this is a bug in headpursuit, please report it with the command line and this message at {IssueTracker}: " +
                     $"{e.GetType().FullName}: {OneLine(e.Message)}" + (debug ? "" : " (HEADPURSUIT_DEBUG=1 shows where it happened)"));
        if (debug) status.Error(e.ToString());
        return ExitCode.InternalError;
    }

    /// <summary>The repository's issue tracker, from the RepositoryUrl the project file gives the package.</summary>
    static string IssueTracker =>
        (typeof(Failures).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "RepositoryUrl")?.Value ?? "the project's repository")
        .TrimEnd('/') + "/issues";

    /// <summary>
    /// What input, files or the network cause. An argument exception counts unless a range or null guard inside .NET
    /// threw it: those mean our code passed a wrong index, which no input should cause.
    /// </summary>
    public static bool IsBadInput(Exception e) => e switch
    {
        ModelFormatException or CudaUnavailableException or IOException or UnauthorizedAccessException or HttpRequestException => true,
        ArgumentOutOfRangeException or ArgumentNullException => ThrownByHeadPursuit(e),
        ArgumentException => true,
        _ => false,
    };

    static bool ThrownByHeadPursuit(Exception e) =>
        e.TargetSite?.DeclaringType?.Assembly.GetName().Name?.StartsWith("HeadPursuit", StringComparison.Ordinal) ?? true;

    /// <summary>The message (a hint may follow on further lines) without .NET's " (Parameter 'x')" and "Actual value was" additions.</summary>
    static string Message(Exception e)
    {
        var lines = e.Message.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        if (e is ArgumentOutOfRangeException { ActualValue: not null } && lines.Count > 1) lines.RemoveAt(lines.Count - 1);
        string message = string.Join("\n", lines);
        return e is ArgumentException { ParamName: { } name } ? message.Replace($" (Parameter '{name}')", "") : message;
    }

    static string OneLine(string text) => string.Join(" ", text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
}

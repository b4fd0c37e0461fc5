using HeadPursuit.Cli;
using HeadPursuit.Runtime;

namespace HeadPursuit.Cli.Tests;

/// <summary>
/// An exception that ends a command: bad input is one "error:" line with exit 1; anything else is reported as a bug in
/// headpursuit (where to report it, the exception's type and message) with exit 70, the stack trace only with
/// HEADPURSUIT_DEBUG=1.
/// </summary>
[Collection("console")]
public sealed class FailureReportTests
{
    static (int Exit, string Err) Report(Exception e)
    {
        var error = new StringWriter();
        int exit = Failures.Report(e, new StatusOutput(error, terminal: false));
        return (exit, error.ToString());
    }

    static Exception Thrown(Action action)
    {
        try { action(); }
        catch (Exception e) { return e; }
        throw new InvalidOperationException("nothing was thrown");
    }

    [Fact]
    public void AnUnexpectedExceptionIsABugReportOnOneLine()
    {
        var (exit, err) = Report(Thrown(() => throw new InvalidOperationException("The requested operation requires an element of type 'Number'.")));
        Assert.Equal(70, exit);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: this is a bug in headpursuit, please report it with the command line and this message at ", err);
        Assert.Contains("/issues: System.InvalidOperationException: The requested operation requires an element of type 'Number'.", err);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public void DebugAddsTheStackTrace()
    {
        Environment.SetEnvironmentVariable("HEADPURSUIT_DEBUG", "1");
        try
        {
            var (exit, err) = Report(Thrown(() => throw new KeyNotFoundException("cell 3")));
            Assert.Equal(70, exit);
            Assert.Contains("System.Collections.Generic.KeyNotFoundException: cell 3", err);
            Assert.Contains("   at ", err);
            Assert.Contains(nameof(DebugAddsTheStackTrace), err);
        }
        finally { Environment.SetEnvironmentVariable("HEADPURSUIT_DEBUG", null); }
    }

    [Fact]
    public void ARangeGuardInsideDotNetIsABugButOursIsBadInputWithoutTheParameterName()
    {
        var (exit, err) = Report(Thrown(() => ArgumentOutOfRangeException.ThrowIfNegative(-1)));
        Assert.Equal(70, exit);
        Assert.Contains("System.ArgumentOutOfRangeException", err);

        var capture = new Runtime.Capture.HeadScales(2, 4);
        (exit, err) = Report(Thrown(() => capture[9, 0] = -1));
        Assert.Equal(1, exit);
        Assert.Equal("error: head L9H0 is out of range: the model has 2 layers x 4 heads (L0H0..L1H3)" + Environment.NewLine, err);
    }

    [Fact]
    public void BadInputIsItsMessageWithAnyHintLines()
    {
        var (exit, err) = Report(new ModelFormatException("cannot reach huggingface.co\n  without the hub: HF_HUB_OFFLINE=1 ..."));
        Assert.Equal(1, exit);
        Assert.Equal("error: cannot reach huggingface.co\n  without the hub: HF_HUB_OFFLINE=1 ..." + Environment.NewLine, err);
        Assert.Equal(1, Report(new IOException("No space left on device : '/full/acts.safetensors'")).Exit);
        Assert.Equal(1, Report(new UnauthorizedAccessException("Access to the path '/ro/x' is denied.")).Exit);
        Assert.Equal(1, Report(new AggregateException(new FileNotFoundException("p.txt: prompt file not found"))).Exit);
    }
}

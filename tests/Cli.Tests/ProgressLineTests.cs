using HeadPursuit.Cli;
using HeadPursuit.Runtime.Hub;

namespace HeadPursuit.Cli.Tests;

/// <summary>
/// Progress lines on standard error: how far, the rate and the time left, redrawn in place on a terminal and never
/// drawn when standard error is redirected or with --quiet; the hub's downloads as one line per file.
/// </summary>
public sealed class ProgressLineTests
{
    const long MiB = 1 << 20;

    [Fact]
    public void ALineSaysHowFarTheRateAndTheTimeLeft()
    {
        var samples = ProgressUnit.Of("samples");
        Assert.Equal("capture  128/300 samples  32.0 samples/s  eta 5s", ProgressLine.Format("capture", samples, 128, 300, 128, TimeSpan.FromSeconds(4)));
        Assert.Equal("capture  300/300 samples  30.0 samples/s  in 10s", ProgressLine.Format("capture", samples, 300, 300, 300, TimeSpan.FromSeconds(10)));
        Assert.Equal("capture  0/300 samples  0.0 samples/s", ProgressLine.Format("capture", samples, 0, 300, 0, TimeSpan.Zero));
        // A resumed download counts only what came in this run towards its rate.
        Assert.Equal("model.safetensors  12.0/48.0 MiB  2.0 MiB/s  eta 18s",
                     ProgressLine.Format("model.safetensors", ProgressUnit.Bytes, 12 * MiB, 48 * MiB, 4 * MiB, TimeSpan.FromSeconds(2)));
        Assert.Equal("config.json  0.5 MiB  0.3 MiB/s", ProgressLine.Format("config.json", ProgressUnit.Bytes, MiB / 2, null, MiB / 2, TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public void DurationsReadAsSecondsMinutesOrHours()
    {
        Assert.Equal(["0s", "59s", "1m00s", "3m05s", "2h07m"], new[] { 0.2, 59.4, 60, 185, 7620 }.Select(ProgressLine.Duration));
    }

    [Fact]
    public void OnATerminalTheLineIsRedrawnAtMostTenTimesASecondAndEndedWhenDone()
    {
        var error = new StringWriter();
        var status = new StatusOutput(error, terminal: true);
        var line = status.Progress("rank", ProgressUnit.Of("cells"));
        line.Report(0, 3);   // drawn: the first report
        line.Report(1, 3);   // skipped: within 100 ms of the last
        line.Report(3, 3);   // drawn: complete, and the line ended
        string[] draws = error.ToString().Split('\r', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, draws.Length);
        Assert.StartsWith("rank  0/3 cells  0.0 cells/s", draws[0]);
        Assert.StartsWith("rank  3/3 cells  ", draws[1]);
        Assert.EndsWith(Environment.NewLine, draws[1]);
        Assert.Contains("  in 0s", draws[1]);
    }

    [Fact]
    public void ANoteEndsAnOpenLineAndAShorterRedrawCoversALongerOne()
    {
        var error = new StringWriter();
        var status = new StatusOutput(error, terminal: true);
        status.Redraw("a long progress line");
        status.Redraw("short");
        status.Note("resuming");
        Assert.Equal("\ra long progress line\rshort               " + Environment.NewLine + "resuming" + Environment.NewLine, error.ToString());
    }

    [Fact]
    public void NothingIsDrawnWhenRedirectedOrQuietAndQuietAlsoSilencesNotes()
    {
        var redirected = new StringWriter();
        var status = new StatusOutput(redirected, terminal: false);
        status.Progress("capture", ProgressUnit.Of("samples")).Report(10, 10);
        status.Note("wrote acts.safetensors");
        Assert.Equal("wrote acts.safetensors" + Environment.NewLine, redirected.ToString());

        var quietly = new StringWriter();
        status = new StatusOutput(quietly, terminal: true) { Quiet = true };
        status.Progress("capture", ProgressUnit.Of("samples")).Report(10, 10);
        status.Note("wrote acts.safetensors");
        status.Error("error: disk full");
        Assert.Equal("error: disk full" + Environment.NewLine, quietly.ToString());
    }

    [Fact]
    public void DownloadsShowOneLinePerFileAndDisposingEndsAnOpenOne()
    {
        var error = new StringWriter();
        var status = new StatusOutput(error, terminal: true);
        using (var downloads = status.Downloads())
        {
            downloads.Report(new DownloadProgress("a.safetensors", 0, 2 * MiB));
            downloads.Report(new DownloadProgress("a.safetensors", MiB, 2 * MiB));       // skipped: same file within the redraw interval
            downloads.Report(new DownloadProgress("a.safetensors", 2 * MiB, 2 * MiB));   // complete: drawn and ended
            downloads.Report(new DownloadProgress("tokenizer.json", MiB / 4, null));    // size unknown: left open
        }
        var lines = error.ToString().Split(Environment.NewLine);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("\ra.safetensors  0.0/2.0 MiB  0.0 MiB/s", lines[0]);
        Assert.Contains("\ra.safetensors  2.0/2.0 MiB  ", lines[0]);
        Assert.StartsWith("\rtokenizer.json  0.3 MiB  ", lines[1]);
        Assert.Equal("", lines[2]);
    }
}

using HeadPursuit.Runtime.Hub;

namespace HeadPursuit.Runtime.Tests.Hub;

public sealed class ConsoleDownloadProgressTests
{
    const long MiB = 1 << 20;

    [Fact]
    public void FormatsDoneTotalAndPercent()
    {
        Assert.Equal("model.safetensors  12.0 / 48.0 MiB  25%", ConsoleDownloadProgress.Format(new("model.safetensors", 12 * MiB, 48 * MiB)));
        Assert.Equal("config.json  0.5 MiB", ConsoleDownloadProgress.Format(new("config.json", MiB / 2, null)));
        Assert.Equal("empty.json  0.0 / 0.0 MiB  100%", ConsoleDownloadProgress.Format(new("empty.json", 0, 0)));
    }

    [Fact]
    public void RedrawsOneLineAndEndsItWhenTheFileCompletes()
    {
        var output = new StringWriter();
        var progress = new ConsoleDownloadProgress(output);

        progress.Report(new("a.safetensors", 0, 2 * MiB));      // drawn: a new file
        progress.Report(new("a.safetensors", MiB, 2 * MiB));    // skipped: same file within the redraw interval
        progress.Report(new("a.safetensors", 2 * MiB, 2 * MiB)); // drawn: complete, line ended

        Assert.Equal("\ra.safetensors  0.0 / 2.0 MiB  0%\ra.safetensors  2.0 / 2.0 MiB  100%" + Environment.NewLine, output.ToString());
    }

    [Fact]
    public void AShorterLineOverwritesTheLongerOneBeforeIt()
    {
        var output = new StringWriter();
        var progress = new ConsoleDownloadProgress(output);

        progress.Report(new("long-file-name.bin", 0, MiB));
        progress.Report(new("x", 0, null));

        string second = output.ToString().Split('\r')[2];
        Assert.Equal("long-file-name.bin  0.0 / 1.0 MiB  0%".Length, second.Length);
        Assert.StartsWith("x  0.0 MiB ", second);
    }
}

using System.Diagnostics;
using System.Globalization;

namespace HeadPursuit.Runtime.Hub;

/// <summary>
/// Shows downloads on the terminal as one line redrawn with '\r' ("model.safetensors  12.0 / 48.0 MiB  25%"),
/// at most every <see cref="RedrawInterval"/> for the same file, and always for a new file or a completed
/// one (whose line is then ended).
/// Silent when standard error is redirected, so logs and pipes stay clean.
/// </summary>
public sealed class ConsoleDownloadProgress : IProgress<DownloadProgress>
{
    static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);

    readonly TextWriter? _writer; // null: draw nothing
    readonly Stopwatch _sinceRedraw = Stopwatch.StartNew();
    int _lastWidth;
    string? _lastFile;

    /// <summary>Draws on standard error when it is a terminal.</summary>
    public ConsoleDownloadProgress() : this(Console.IsErrorRedirected ? null : Console.Error) { }

    internal ConsoleDownloadProgress(TextWriter? writer) { _writer = writer; }

    public void Report(DownloadProgress value)
    {
        if (_writer is null) return;
        if (!value.IsComplete && value.File == _lastFile && _sinceRedraw.Elapsed < RedrawInterval) return;
        _sinceRedraw.Restart();
        _lastFile = value.File;
        string line = Format(value);
        _writer.Write("\r" + line.PadRight(_lastWidth));
        _lastWidth = line.Length;
        if (value.IsComplete)
        {
            _writer.WriteLine();
            _lastWidth = 0;
            _lastFile = null;
        }
        _writer.Flush();
    }

    /// <summary>"file  done / total MiB  pct%", or "file  done MiB" when the total is unknown.</summary>
    internal static string Format(DownloadProgress p)
    {
        const double MiB = 1024.0 * 1024.0;
        var c = CultureInfo.InvariantCulture;
        if (p.TotalBytes is not long total)
            return string.Format(c, "{0}  {1:0.0} MiB", p.File, p.BytesDone / MiB);
        int percent = total == 0 ? 100 : (int)(100 * p.BytesDone / total);
        return string.Format(c, "{0}  {1:0.0} / {2:0.0} MiB  {3}%", p.File, p.BytesDone / MiB, total / MiB, percent);
    }
}

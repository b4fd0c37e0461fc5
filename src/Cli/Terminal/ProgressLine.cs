using System.Diagnostics;
using System.Globalization;

namespace HeadPursuit.Cli;

/// <summary>
/// The progress of one piece of long work as one line on standard error, redrawn in place at most ten times a second:
/// how far, the rate since it began and the time left at that rate, then the time it took once complete:
///   capture  128/300 samples  42.1 samples/s  eta 4s
///   model.safetensors  12.0/48.0 MiB  3.2 MiB/s  eta 11s
/// Drawn only when <see cref="StatusOutput.ShowsProgress"/>. A report below the total after completion starts the
/// line anew (a stage that runs again).
/// Our own rather than Spectre.Console's Progress, which owns the terminal for the whole of a callback and redraws from
/// a thread of its own: the commands and the libraries under them write notes to standard error while they work and
/// report through plain callbacks (Action&lt;int, int&gt;, IProgress&lt;DownloadProgress&gt;) that fit one redrawn line;
/// System.CommandLine has no progress display.
/// </summary>
sealed class ProgressLine(StatusOutput status, string label, ProgressUnit unit)
{
    static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);

    readonly Stopwatch _clock = new();
    long _first;            // the count at the first report: a resumed download's earlier bytes are not in its rate
    TimeSpan? _lastDraw;    // null: nothing drawn since the line (re)started
    bool _complete;

    public void Report(long done, long? total)
    {
        if (!status.ShowsProgress) return;
        if (!_clock.IsRunning || (_complete && done < total))
        {
            _clock.Restart();
            _first = done;
            _lastDraw = null;
            _complete = false;
        }
        if (_complete) return;
        bool complete = total is long t && done >= t;
        var now = _clock.Elapsed;
        if (!complete && _lastDraw is TimeSpan last && now - last < RedrawInterval) return;
        _lastDraw = now;
        status.Redraw(Format(label, unit, done, total, done - _first, now));
        if (complete)
        {
            status.EndLine();
            _complete = true;
        }
    }

    /// <summary>"label  done/total unit  rate  eta T" (or "in T" once done); without a total, "label  done unit  rate".</summary>
    /// <param name="counted">What was done since the line began: the rate is counted / elapsed.</param>
    public static string Format(string label, ProgressUnit unit, long done, long? total, long counted, TimeSpan elapsed)
    {
        double seconds = elapsed.TotalSeconds;
        double rate = seconds > 0 ? counted / seconds : 0;
        string amount = total is long t ? $"{unit.Amount(done)}/{unit.Amount(t)} {unit.Name}" : $"{unit.Amount(done)} {unit.Name}";
        string time = total is not long all ? ""
                    : done >= all ? $"  in {Duration(seconds)}"
                    : rate > 0 ? $"  eta {Duration((all - done) / rate)}" : "";
        return $"{label}  {amount}  {unit.Rate(rate)}{time}";
    }

    /// <summary>"42s", "3m05s", "2h07m".</summary>
    public static string Duration(double seconds)
    {
        long s = (long)Math.Round(seconds);
        var c = CultureInfo.InvariantCulture;
        return s < 60 ? string.Create(c, $"{s}s") : s < 3600 ? string.Create(c, $"{s / 60}m{s % 60:00}s") : string.Create(c, $"{s / 3600}h{s / 60 % 60:00}m");
    }
}

using System.Diagnostics;

namespace HeadPursuit.Cli;

/// <summary>
/// A progress line on standard error ("capture  128/300  42.1 samples/s  eta 4s"), redrawn in place at most ten
/// times a second, and nothing at all when standard error is not a terminal (logs and pipes stay clean).
/// </summary>
sealed class ConsoleProgress(string label, string unit)
{
    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly bool _enabled = !Console.IsErrorRedirected;
    long _lastDraw = -1000;

    public void Report(int done, int total)
    {
        if (!_enabled) return;
        long now = _clock.ElapsedMilliseconds;
        if (done < total && now - _lastDraw < 100) return;
        _lastDraw = now;
        double rate = done / Math.Max(_clock.Elapsed.TotalSeconds, 1e-9);
        string eta = done < total && rate > 0 ? $"  eta {(total - done) / rate:0}s" : "";
        Console.Error.Write($"\r{label}  {done}/{total}  {rate:0.0} {unit}/s{eta}    ");
        if (done >= total) Console.Error.WriteLine();
    }
}

namespace HeadPursuit.Cli;

/// <summary>
/// What headpursuit writes to standard error: errors, notes ("no --model: using ...", "wrote ...") and progress lines.
/// --quiet silences notes and progress; progress lines are drawn only on a terminal, so logs and pipes get the notes
/// without redrawn lines. A progress line still open is ended before any other line is written.
/// </summary>
sealed class StatusOutput(TextWriter error, bool terminal)
{
    int _openWidth;   // the length of the progress line being redrawn; 0 when none is open

    public bool Quiet { get; set; }

    /// <summary>Whether progress lines are drawn at all.</summary>
    public bool ShowsProgress => terminal && !Quiet;

    public void Note(string line)
    {
        if (Quiet) return;
        EndLine();
        error.WriteLine(line);
    }

    public void Error(string line)
    {
        EndLine();
        error.WriteLine(line);
    }

    public ProgressLine Progress(string label, ProgressUnit unit) => new(this, label, unit);

    /// <summary>The hub's file downloads, one progress line each.</summary>
    public DownloadProgressLines Downloads() => new(this);

    /// <summary>Redraws the open progress line as <paramref name="line"/> (padded over a longer previous one).</summary>
    public void Redraw(string line)
    {
        error.Write("\r" + line.PadRight(_openWidth));
        _openWidth = Math.Max(line.Length, 1);
        error.Flush();
    }

    /// <summary>Ends the open progress line, if any, so that what follows starts on a line of its own.</summary>
    public void EndLine()
    {
        if (_openWidth == 0) return;
        error.WriteLine();
        _openWidth = 0;
    }
}

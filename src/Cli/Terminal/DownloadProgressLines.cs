using HeadPursuit.Runtime.Hub;

namespace HeadPursuit.Cli;

/// <summary>
/// The hub's downloads as progress lines, one per file in the order they come ("model.safetensors  12.0/48.0 MiB
/// 3.2 MiB/s  eta 11s"). Disposing it ends a line left open (a file whose size the hub did not say).
/// </summary>
sealed class DownloadProgressLines(StatusOutput status) : IProgress<DownloadProgress>, IDisposable
{
    string? _file;
    ProgressLine? _line;

    public void Report(DownloadProgress value)
    {
        if (value.File != _file)
        {
            status.EndLine();
            _file = value.File;
            _line = status.Progress(value.File, ProgressUnit.Bytes);
        }
        _line!.Report(value.BytesDone, value.TotalBytes);
    }

    public void Dispose() => status.EndLine();
}

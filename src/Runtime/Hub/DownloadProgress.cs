namespace HeadPursuit.Runtime.Hub;

/// <summary>How far the download of one repository file has got; <see cref="TotalBytes"/> is null when the hub did not say.</summary>
public readonly record struct DownloadProgress(string File, long BytesDone, long? TotalBytes)
{
    /// <summary>Whether the whole file has arrived (known only when the hub gave its size).</summary>
    public bool IsComplete => TotalBytes is long total && BytesDone == total;
}

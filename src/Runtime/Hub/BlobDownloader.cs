using System.Net;

namespace HeadPursuit.Runtime.Hub;

/// <summary>
/// Downloads one blob into blobs/{etag}.incomplete, then renames it to blobs/{etag}. A partial file left
/// by an earlier run or a dropped connection is resumed with "Range: bytes=N-" (a 206 answer appends; a
/// 200 answer means the server ignored the range, so the file restarts from zero). A transfer that breaks
/// is retried, resuming, up to <see cref="MaxAttempts"/> times. The finished size must equal the size the
/// hub announced. The .incomplete file is held open exclusively, so two processes never write it at once.
/// </summary>
sealed class BlobDownloader(HubClient client)
{
    const int MaxAttempts = 5;
    const int ChunkBytes = 1 << 20;
    static readonly TimeSpan ReadIdleTimeout = TimeSpan.FromSeconds(60);

    public async Task DownloadAsync(RepoId repo, string file, HubFileMetadata meta, string blobPath,
        IProgress<DownloadProgress>? progress, CancellationToken ct)
    {
        string what = $"{file} of {repo} (commit {meta.Commit})";
        string partial = blobPath + ".incomplete";
        Directory.CreateDirectory(Path.GetDirectoryName(blobPath)!);
        long? expected = meta.Size;
        using (var output = OpenExclusive(partial, what))
        {
            for (int attempt = 1; ; attempt++)
            {
                long offset = output.Length;
                if (expected is long size && offset > size) offset = Restart(output);
                if (expected is long done && offset == done && offset > 0) break;

                Exception? failure;
                try
                {
                    using var response = await client.GetAsync(meta.DownloadUrl, offset, repo, meta.Commit, what, ct);
                    if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
                    {
                        Restart(output);
                        failure = new IOException($"the server refused to resume at byte {offset} (416)");
                    }
                    else
                    {
                        offset = StartOffset(response, offset, output, what);
                        expected ??= TotalFrom(response, offset);
                        failure = await CopyBodyAsync(response, output, offset, file, expected, progress, ct);
                        if (failure is null) break;
                    }
                }
                catch (HttpRequestException e) { failure = e; }

                if (attempt == MaxAttempts)
                    throw new ModelFormatException(
                        $"{what}: download failed after {MaxAttempts} attempts ({failure.Message}); the {output.Length} bytes received so far " +
                        $"stay in {partial} and the next run resumes from there");
                await Task.Delay(TimeSpan.FromMilliseconds(250 * attempt), ct);
            }
            if (expected is long want && output.Length != want)
            {
                long got = output.Length;
                output.Close();
                File.Delete(partial);
                throw new ModelFormatException($"{what}: size mismatch: the hub announced {want} bytes but {got} arrived; the partial download was deleted");
            }
        }
        File.Move(partial, blobPath, overwrite: true);
    }

    static FileStream OpenExclusive(string path, string what)
    {
        try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
        catch (IOException e) { throw new ModelFormatException($"{what}: cannot open {path} (is another process downloading it?): {e.Message}"); }
    }

    static long Restart(FileStream output)
    {
        output.SetLength(0);
        return 0;
    }

    /// <summary>Where the body starts: the requested offset for a 206 whose Content-Range agrees, 0 for a 200.</summary>
    static long StartOffset(HttpResponseMessage response, long requested, FileStream output, string what)
    {
        if (response.StatusCode != HttpStatusCode.PartialContent) return Restart(output);
        long? from = response.Content.Headers.ContentRange?.From;
        if (from != requested)
            throw new ModelFormatException($"{what}: asked to resume at byte {requested}, the server sent a range starting at {from?.ToString() ?? "(none)"}");
        return requested;
    }

    /// <summary>The file size as the GET answer tells it (Content-Range total, else offset + Content-Length), or null.</summary>
    static long? TotalFrom(HttpResponseMessage response, long offset) =>
        response.Content.Headers.ContentRange?.Length ?? (response.Content.Headers.ContentLength is long n ? offset + n : null);

    /// <summary>
    /// Appends the body to <paramref name="output"/> from <paramref name="offset"/>. Returns null when the body
    /// ended normally, or the transport error that cut it (disk errors are not caught: they are not retried).
    /// </summary>
    static async Task<Exception?> CopyBodyAsync(HttpResponseMessage response, FileStream output, long offset, string file,
        long? total, IProgress<DownloadProgress>? progress, CancellationToken ct)
    {
        output.Position = offset;
        var buffer = new byte[ChunkBytes]; // [ChunkBytes] bytes of the body in flight
        progress?.Report(new DownloadProgress(file, offset, total));
        Stream body;
        try { body = await response.Content.ReadAsStreamAsync(ct); }
        catch (HttpRequestException e) { return e; }
        await using (body)
        {
            while (true)
            {
                int n;
                using (var idle = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    idle.CancelAfter(ReadIdleTimeout);
                    try { n = await body.ReadAsync(buffer, idle.Token); }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                    {
                        return new TimeoutException($"no data for {ReadIdleTimeout.TotalSeconds:0} s");
                    }
                    catch (Exception e) when (e is IOException or HttpRequestException) { return e; }
                }
                if (n == 0) return null;
                await output.WriteAsync(buffer.AsMemory(0, n), ct);
                offset += n;
                progress?.Report(new DownloadProgress(file, offset, total));
            }
        }
    }
}

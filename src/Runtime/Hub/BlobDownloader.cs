using System.Net;

namespace HeadPursuit.Runtime.Hub;

/// <summary>
/// Downloads one blob into blobs/{etag}.incomplete, then renames it to blobs/{etag}. A partial file left
/// by an earlier run or a cut connection is resumed with "Range: bytes=N-" (a 206 answer appends; a
/// 200 answer means the server ignored the range, so the file restarts from zero). A body that breaks off
/// or stalls for HF_HUB_DOWNLOAD_TIMEOUT is resumed after the policy's backoff; as in huggingface_hub the
/// count of failures starts again whenever data arrived, and the download gives up after
/// <see cref="HubRetryPolicy.MaxRetries"/> + 1 attempts in a row that brought nothing (6: five retries). A CDN that refuses its
/// signed link (it expired, typically while resuming) gets a fresh one from the hub, at most
/// <see cref="MaxFreshLinks"/> times. The finished size must equal the size the hub announced. The
/// .incomplete file is held open exclusively, so two processes never write it at once.
/// </summary>
sealed class BlobDownloader(HubClient client, HubOptions options)
{
    const int MaxFreshLinks = 2;
    const int ChunkBytes = 1 << 20;

    public async Task DownloadAsync(RepoId repo, string file, HubFileMetadata meta, string blobPath,
        Func<CancellationToken, Task<Uri>> freshLink, IProgress<DownloadProgress>? progress, CancellationToken ct)
    {
        string what = $"{file} of {repo} (commit {meta.Commit})";
        string partial = blobPath + ".incomplete";
        Directory.CreateDirectory(Path.GetDirectoryName(blobPath)!);
        long? expected = meta.Size;
        Uri url = meta.DownloadUrl;
        var policy = options.Retry;
        using (var output = OpenExclusive(partial, what))
        {
            string Kept() => $"the {output.Length} bytes received so far stay in {partial} and the next run resumes from there";
            int freshLinks = 0;
            int attemptsWithoutData = 0;
            while (true)
            {
                long offset = output.Length;
                if (expected is long size && offset > size) offset = Restart(output);
                if (expected is long done && offset == done && offset > 0) break;

                Exception failure;
                long end = offset;
                try
                {
                    using var response = await client.GetAsync(url, offset, repo, meta.Commit, what, ct);
                    if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
                    {
                        Restart(output);
                        failure = new IOException($"the server refused to resume at byte {offset} (416)");
                    }
                    else
                    {
                        offset = StartOffset(response, offset, output, what);
                        expected ??= TotalFrom(response, offset);
                        (end, Exception? cut) = await CopyBodyAsync(response, output, offset, file, expected, progress, ct);
                        if (cut is null) break;
                        failure = cut;
                    }
                }
                catch (HubRequestException e) when (e.LinkRejected)
                {
                    if (freshLinks == MaxFreshLinks)
                        throw new HubRequestException(
                            $"{e.Message}; fresh links from the hub were refused too ({MaxFreshLinks} times). Signed links expire: check that " +
                            $"this machine's clock is right and that no proxy rewrites the URL; {Kept()}");
                    freshLinks++;
                    url = await freshLink(ct);
                    continue;
                }
                catch (HubRequestException e) when (output.Length > 0)
                {
                    throw new HubRequestException($"{e.Message}; {Kept()}", e.Status, e.ErrorCode);
                }

                attemptsWithoutData = end > offset ? 0 : attemptsWithoutData + 1;
                if (attemptsWithoutData > policy.MaxRetries)
                    throw new HubRequestException($"{what}: download failed: {attemptsWithoutData} attempts in a row brought no data ({failure.Message}); {Kept()}");
                await policy.Delay(policy.WaitBefore(attemptsWithoutData + 1), ct);
            }
            if (expected is long want && output.Length != want)
            {
                long got = output.Length;
                output.Close();
                File.Delete(partial);
                throw new HubRequestException($"{what}: size mismatch: the hub announced {want} bytes but {got} arrived; the partial download was deleted");
            }
        }
        File.Move(partial, blobPath, overwrite: true);
    }

    static FileStream OpenExclusive(string path, string what)
    {
        // Unbuffered: every chunk is on disk when written, for a resume after a kill and for a waiting process's progress.
        try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0); }
        catch (IOException e) { throw new HubRequestException($"{what}: cannot open {path} (is another process downloading it?): {e.Message}"); }
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
            throw new HubRequestException($"{what}: asked to resume at byte {requested}, the server sent a range starting at {from?.ToString() ?? "(none)"}");
        return requested;
    }

    /// <summary>The file size as the GET answer tells it (Content-Range total, else offset + Content-Length), or null.</summary>
    static long? TotalFrom(HttpResponseMessage response, long offset) =>
        response.Content.Headers.ContentRange?.Length ?? (response.Content.Headers.ContentLength is long n ? offset + n : null);

    /// <summary>
    /// Appends the body to <paramref name="output"/> from <paramref name="offset"/>. Returns where the written
    /// bytes end, and null when the body ended normally or else the transport error or stall that cut it (disk
    /// errors are not caught: they are not retried).
    /// </summary>
    async Task<(long End, Exception? Cut)> CopyBodyAsync(HttpResponseMessage response, FileStream output, long offset, string file,
        long? total, IProgress<DownloadProgress>? progress, CancellationToken ct)
    {
        TimeSpan idleLimit = options.DownloadTimeout;
        output.Position = offset;
        var buffer = new byte[ChunkBytes]; // [ChunkBytes] bytes of the body in flight
        progress?.Report(new DownloadProgress(file, offset, total));
        Stream body;
        try { body = await response.Content.ReadAsStreamAsync(ct); }
        catch (HttpRequestException e) { return (offset, e); }
        await using (body)
        {
            while (true)
            {
                int n;
                using (var idle = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    idle.CancelAfter(idleLimit);
                    try { n = await body.ReadAsync(buffer, idle.Token); }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                    {
                        return (offset, new TimeoutException($"no data for {idleLimit.TotalSeconds:0.###} s"));
                    }
                    catch (Exception e) when (e is IOException or HttpRequestException) { return (offset, e); }
                }
                if (n == 0) return (offset, null);
                await output.WriteAsync(buffer.AsMemory(0, n), ct);
                offset += n;
                progress?.Report(new DownloadProgress(file, offset, total));
            }
        }
    }
}

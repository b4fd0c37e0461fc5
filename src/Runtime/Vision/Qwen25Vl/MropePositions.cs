namespace HeadPursuit.Runtime.Vision.Qwen25Vl;

/// <summary>
/// Qwen2.5-VL's multimodal rotary positions of a prompt with images (HF get_rope_index), [T, 3] as (t, h, w) per
/// position: a counter c starts at 0; a text token (anything outside an image run, the vision start and end tokens
/// included) gets (c, c, c) and c += 1; the run of the k-th image's tokens (merged grid lh x lw), token n of it at
/// row r = n / lw, column q = n % lw, gets (c, c + r, c + q), and then c += max(lh, lw). As in HF, an image run is one
/// that a vision start token followed directly by the image token announces: the next image token from where the
/// previous run ended starts it. Generated tokens continue at their sequence index + <see cref="Delta"/>
/// (= largest position + 1 - T, zero or negative). A prompt that announces a video is refused (images only).
/// </summary>
internal sealed record MropePositions(int[] Positions, int Delta)
{
    public static MropePositions Of(int[] ids, IReadOnlyList<ImageGrid> grids, Qwen25VlConfig config)
    {
        int T = ids.Length, m = config.Vision.MergeSize, image = config.ImageTokenId;
        int Announced(int token) => Enumerable.Range(0, Math.Max(0, T - 1)).Count(i => ids[i] == config.VisionStartTokenId && ids[i + 1] == token);
        if (Announced(config.VideoTokenId) > 0)
            throw new ArgumentException($"the prompt holds a video (vision start token {config.VisionStartTokenId} followed by the video token {config.VideoTokenId}); videos are not supported, only images");
        int runs = Announced(image);
        if (runs > grids.Count)
            throw new ArgumentException($"the prompt announces {runs} images (vision start token {config.VisionStartTokenId} followed by the image token {image}) but {grids.Count} are given");
        var pos = new int[3 * T];   // [T, 3]
        int st = 0, next = 0;
        void Text(int from, int to)
        {
            for (int i = from; i < to; i++, next++) pos[3 * i] = pos[3 * i + 1] = pos[3 * i + 2] = next;
        }
        for (int k = 0; k < runs; k++)
        {
            int ed = Array.IndexOf(ids, image, st);
            var g = grids[k];
            int lh = g.H / m, lw = g.W / m, count = g.T * lh * lw;
            if (ed < 0 || ed + count > T || ids.AsSpan(ed, count).ContainsAnyExcept(image))
                throw new ArgumentException(
                    $"Image features and image tokens do not match: image {k + 1} (grid {g}) takes {count} consecutive image tokens (id {image}) from position {Math.Max(ed, st)}, " +
                    "which the prompt does not hold");
            Text(st, ed);
            for (int n = 0; n < count; n++)
            {
                int at = 3 * (ed + n), within = n % (lh * lw);
                (pos[at], pos[at + 1], pos[at + 2]) = (next, next + within / lw, next + within % lw);
            }
            next += Math.Max(lh, lw);
            st = ed + count;
        }
        Text(st, T);
        int largest = T == 0 ? -1 : pos.Max();
        return new MropePositions(pos, largest + 1 - T);
    }
}

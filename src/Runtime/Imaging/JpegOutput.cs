namespace HeadPursuit.Runtime.Imaging;

/// <summary>
/// Turns a fully decoded frame into RGB pixels as djpeg does by default: each component's blocks through the
/// accurate integer IDCT, subsampled components upsampled to full size (fancy upsampling), then YCbCr -> RGB
/// (or RGB copied, or grey repeated three times).
/// </summary>
static class JpegOutput
{
    /// <param name="rgbComponents">true when three components hold R, G, B themselves (Adobe transform 0, or ids 'R' 'G' 'B').</param>
    public static RgbImage ToRgb(JpegFrame frame, bool rgbComponents, string source)
    {
        int w = frame.Width, h = frame.Height;
        var planes = frame.Components.Select(c => FullSizePlane(frame, c, source)).ToArray();   // each [h, w]
        var pixels = new byte[w * h * 3];   // [h, w, 3]
        for (int p = 0; p < w * h; p++)
        {
            var rgb = pixels.AsSpan(p * 3, 3);
            if (planes.Length == 1) rgb.Fill(planes[0][p]);
            else if (rgbComponents) { rgb[0] = planes[0][p]; rgb[1] = planes[1][p]; rgb[2] = planes[2][p]; }
            else JpegColorConverter.ToRgb(planes[0][p], planes[1][p], planes[2][p], rgb);
        }
        return new RgbImage(w, h, pixels);
    }

    /// <summary>The component's samples at full image size: [frame.Height, frame.Width].</summary>
    static byte[] FullSizePlane(JpegFrame frame, JpegComponent c, string source)
    {
        if (c.Quant == null)
            throw new ModelFormatException($"{source}: JPEG component {c.Id} never appears in a scan (no image data for it)");
        int stride = c.BlocksPerLine * 8;
        var plane = new byte[c.BlocksPerColumn * 8 * stride];   // [BlocksPerColumn * 8, stride]
        for (int by = 0; by < c.BlocksPerColumn; by++)
            for (int bx = 0; bx < c.BlocksPerLine; bx++)
                JpegIdct.Transform(c.Coefficients.AsSpan(c.BlockOffset(by, bx), 64), c.Quant, plane.AsSpan(by * 8 * stride + bx * 8), stride);
        return JpegUpsampler.Upsample(plane, stride, c.Width, c.Height, frame.HMax / c.H, frame.VMax / c.V, frame.Width, frame.Height);
    }
}

namespace HeadPursuit.Runtime.Imaging;

/// <summary>
/// Brings a subsampled component to full image size the way libjpeg-turbo's jdsample.c does by default ("fancy"
/// upsampling): a triangle filter for 2:1 horizontal (h2v1), 2:1 vertical (h1v2) and 2:1 both ways (h2v2), each output
/// sample weighting its nearer input sample 3/4 and the further one 1/4, with libjpeg's alternating rounding biases;
/// edges repeat the last real sample. Other integral ratios, and h2v1/h2v2 on components at most 2 samples wide
/// (where libjpeg turns fancy upsampling off), replicate each sample.
/// </summary>
static class JpegUpsampler
{
    /// <summary>
    /// Upsamples a component plane by (hFactor, vFactor).
    /// </summary>
    /// <param name="plane">samples [rows, stride]; only the first height rows and width columns are real.</param>
    /// <returns>[outHeight, outWidth]</returns>
    public static byte[] Upsample(byte[] plane, int stride, int width, int height, int hFactor, int vFactor, int outWidth, int outHeight)
    {
        var output = new byte[outHeight * outWidth];   // [outHeight, outWidth]
        bool fancyH = hFactor == 2 && vFactor <= 2 && width > 2;
        bool fancyV = vFactor == 2 && (hFactor == 1 || fancyH);
        for (int y = 0; y < outHeight; y++)
        {
            int row = y / vFactor;
            // the other row of the vertical triangle: above for even output rows, below for odd ones (clamped to the real rows)
            int other = !fancyV ? row : y % 2 == 0 ? Math.Max(row - 1, 0) : Math.Min(row + 1, height - 1);
            for (int x = 0; x < outWidth; x++)
            {
                int col = x / hFactor;
                if (!fancyH && !fancyV) { output[y * outWidth + x] = plane[row * stride + col]; continue; }
                if (!fancyH)
                {
                    // h1v2: (3 * nearer + further + bias) / 4, bias 1 for the row above, 2 for the row below
                    int sum = 3 * plane[row * stride + col] + plane[other * stride + col];
                    output[y * outWidth + x] = (byte)((sum + (y % 2 == 0 ? 1 : 2)) >> 2);
                    continue;
                }
                int neighbour = x % 2 == 0 ? Math.Max(col - 1, 0) : Math.Min(col + 1, width - 1);
                if (!fancyV)
                {
                    // h2v1: (3 * nearer + further + bias) / 4, bias 1 for the left neighbour, 2 for the right one
                    int sum = 3 * plane[row * stride + col] + plane[row * stride + neighbour];
                    output[y * outWidth + x] = (byte)((sum + (x % 2 == 0 ? 1 : 2)) >> 2);
                }
                else
                {
                    // h2v2: column sums 3 * nearer row + further row, then (3 * nearer sum + further sum + bias) / 16,
                    // bias 8 for the left neighbour, 7 for the right one
                    int near = 3 * plane[row * stride + col] + plane[other * stride + col];
                    int far = 3 * plane[row * stride + neighbour] + plane[other * stride + neighbour];
                    output[y * outWidth + x] = (byte)((3 * near + far + (x % 2 == 0 ? 8 : 7)) >> 4);
                }
            }
        }
        return output;
    }
}

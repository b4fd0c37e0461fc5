using HeadPursuit.Runtime.Imaging;

namespace HeadPursuit.Runtime.Tests.Imaging;

/// <summary>The JPEG decoder against djpeg's reference decodes (exact equality), and its refusals.</summary>
public sealed class JpegDecoderTests
{
    [Theory]
    [InlineData("baseline444")]
    [InlineData("baseline420")]
    [InlineData("baseline422")]
    [InlineData("baseline440")]
    [InlineData("baseline411")]
    [InlineData("grey")]
    [InlineData("progressive420")]
    [InlineData("progressive-grey")]
    [InlineData("restart420")]
    [InlineData("odd33x17-progressive-restart")]
    [InlineData("odd33x17-422-optimized")]
    [InlineData("odd33x17-420-separate-scans")]
    [InlineData("tiny5x3-420")]
    [InlineData("rgb-adobe")]
    [InlineData("large128x96-progressive")]
    public void DecodesExactlyAsDjpeg(string name)
    {
        var expected = JpegTestFiles.ReadNetpbm(name + ".djpeg.ppm");

        var image = JpegDecoder.Load(JpegTestFiles.Path(name + ".jpg"));

        Assert.Equal((expected.Width, expected.Height), (image.Width, image.Height));
        int differing = Enumerable.Range(0, expected.Pixels.Length).Count(i => expected.Pixels[i] != image.Pixels[i]);
        Assert.True(differing == 0, $"{name}: {differing} of {expected.Pixels.Length} samples differ from djpeg");
    }

    [Fact]
    public void GreyDecodesToEqualChannels()
    {
        var image = JpegDecoder.Load(JpegTestFiles.Path("grey.jpg"));
        for (int p = 0; p < image.Width * image.Height; p++)
            Assert.True(image.Pixels[p * 3] == image.Pixels[p * 3 + 1] && image.Pixels[p * 3] == image.Pixels[p * 3 + 2]);
    }

    [Fact]
    public void ImageFileDispatchesJpegAndClipPreprocessingAcceptsIt()
    {
        string path = JpegTestFiles.Path("large128x96-progressive.jpg");
        var image = ImageFile.Load(path);
        Assert.Equal(JpegDecoder.Load(path).Pixels, image.Pixels);

        var processor = new ClipImageProcessor { ShortestEdge = 32, CropWidth = 32, CropHeight = 32 };
        var values = processor.PixelValues(image);
        Assert.Equal(3 * 32 * 32, values.Length);
        Assert.Contains(values, v => v != values[0]);
    }

    [Fact]
    public void ArithmeticCodingIsRefusedNamingFileAndFeature()
    {
        string path = JpegTestFiles.Path("arithmetic.jpg");
        var e = Assert.Throws<ModelFormatException>(() => ImageFile.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("arithmetic", e.Message);
    }

    [Theory]
    [InlineData(0xC3, "lossless")]
    [InlineData(0xC5, "hierarchical")]
    [InlineData(0xC9, "arithmetic")]
    public void OtherCodingProcessesAreRefused(int sof, string feature)
    {
        var bytes = JpegTestFiles.Bytes("baseline420.jpg");
        bytes[SegmentOffset(bytes, 0xC0) + 1] = (byte)sof;
        var e = Assert.Throws<ModelFormatException>(() => JpegDecoder.Decode(bytes, "x.jpg"));
        Assert.Contains(feature, e.Message);
        Assert.StartsWith("x.jpg:", e.Message);
    }

    [Fact]
    public void TwelveBitIsRefused()
    {
        var bytes = JpegTestFiles.Bytes("baseline420.jpg");
        bytes[SegmentOffset(bytes, 0xC0) + 4] = 12;   // sample precision
        var e = Assert.Throws<ModelFormatException>(() => JpegDecoder.Decode(bytes, "x.jpg"));
        Assert.Contains("12-bit", e.Message);
    }

    [Fact]
    public void CmykIsRefused()
    {
        // SOI, SOF0 8-bit 8x8 with four components 1x1 on table 0, EOI
        byte[] bytes = [0xFF, 0xD8, 0xFF, 0xC0, 0, 20, 8, 0, 8, 0, 8, 4, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0, 4, 0x11, 0, 0xFF, 0xD9];
        var e = Assert.Throws<ModelFormatException>(() => JpegDecoder.Decode(bytes, "cmyk.jpg"));
        Assert.Contains("CMYK", e.Message);
        Assert.Contains("cmyk.jpg", e.Message);
    }

    [Fact]
    public void AnImageTooLargeForOneArrayIsRefusedBeforeAllocating()
    {
        // SOI, SOF0 8-bit 65535x65535 with one component, EOI
        byte[] bytes = [0xFF, 0xD8, 0xFF, 0xC0, 0, 11, 8, 0xFF, 0xFF, 0xFF, 0xFF, 1, 1, 0x11, 0, 0xFF, 0xD9];
        var e = Assert.Throws<ModelFormatException>(() => JpegDecoder.Decode(bytes, "huge.jpg"));
        Assert.Contains("65535x65535", e.Message);
    }

    [Theory]
    [InlineData("baseline420")]
    [InlineData("progressive420")]
    [InlineData("restart420")]
    public void TruncatedFilesAreReported(string name)
    {
        var bytes = JpegTestFiles.Bytes(name + ".jpg");
        foreach (int keep in new[] { bytes.Length - 2, bytes.Length * 3 / 4, bytes.Length / 2, 700, 200, 30, 3 })
        {
            var e = Assert.Throws<ModelFormatException>(() => JpegDecoder.Decode(bytes.AsSpan(0, keep), "cut.jpg"));
            Assert.Contains("cut.jpg", e.Message);
            Assert.True(e.Message.Contains("truncated") || e.Message.Contains("ends early"), $"keep {keep}: {e.Message}");
        }
    }

    [Fact]
    public void AMissingHuffmanTableIsReported()
    {
        var bytes = JpegTestFiles.Bytes("baseline444.jpg");
        bytes[SegmentOffset(bytes, 0xC4) + 1] = 0xFE;   // turn the first DHT segment into a comment
        var e = Assert.Throws<ModelFormatException>(() => JpegDecoder.Decode(bytes, "x.jpg"));
        Assert.Contains("Huffman table", e.Message);
        Assert.Contains("no DHT segment defined it", e.Message);
    }

    [Fact]
    public void AMissingQuantizationTableIsReported()
    {
        var bytes = JpegTestFiles.Bytes("grey.jpg");
        bytes[SegmentOffset(bytes, 0xDB) + 1] = 0xFE;
        var e = Assert.Throws<ModelFormatException>(() => JpegDecoder.Decode(bytes, "x.jpg"));
        Assert.Contains("quantization table 0", e.Message);
    }

    [Fact]
    public void AWrongRestartMarkerIsReported()
    {
        var bytes = JpegTestFiles.Bytes("restart420.jpg");
        int rst = Enumerable.Range(SegmentOffset(bytes, 0xDA), bytes.Length - 1).First(i => bytes[i] == 0xFF && bytes[i + 1] == 0xD0);
        bytes[rst + 1] = 0xD3;
        var e = Assert.Throws<ModelFormatException>(() => JpegDecoder.Decode(bytes, "x.jpg"));
        Assert.Contains("RST0", e.Message);
    }

    [Fact]
    public void AnUnknownMarkerIsReported()
    {
        var bytes = JpegTestFiles.Bytes("grey.jpg");
        bytes[SegmentOffset(bytes, 0xDB) + 1] = 0xF3;   // JPG3: reserved
        var e = Assert.Throws<ModelFormatException>(() => JpegDecoder.Decode(bytes, "x.jpg"));
        Assert.Contains("unknown JPEG marker FFF3", e.Message);
    }

    [Fact]
    public void GarbageWhereAMarkerBelongsIsReported()
    {
        var bytes = JpegTestFiles.Bytes("grey.jpg");
        bytes[SegmentOffset(bytes, 0xDB)] = 0x12;
        var e = Assert.Throws<ModelFormatException>(() => JpegDecoder.Decode(bytes, "x.jpg"));
        Assert.Contains("expected a JPEG marker", e.Message);
    }

    [Fact]
    public void NotAJpegIsReported()
    {
        var e = Assert.Throws<ModelFormatException>(() => JpegDecoder.Decode("GIF89a"u8, "x.gif"));
        Assert.Contains("not a JPEG", e.Message);
    }

    /// <summary>Byte offset of the first marker FF code in the header part of the file (segments walked by their lengths).</summary>
    static int SegmentOffset(byte[] bytes, int code)
    {
        int at = 2;
        while (bytes[at + 1] != code)
        {
            if (bytes[at + 1] == 0xDA) throw new InvalidOperationException($"marker FF{code:X2} not found before the first scan");
            at += 2 + (bytes[at + 2] << 8 | bytes[at + 3]);
        }
        return at;
    }
}

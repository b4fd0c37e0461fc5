using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Imaging;
using HeadPursuit.Runtime.Tests.Imaging;
using HeadPursuit.Runtime.Vision.LlavaNext;
using HeadPursuit.Tests;

namespace HeadPursuit.Runtime.Tests.Vision;

/// <summary>
/// Images LLaVA-NeXT cannot take are refused naming the file; the sizes it can take (any, down to 1x1, as HF's
/// processor) give HF's token counts, including a map that unpadding empties.
/// </summary>
public sealed class LlavaNextInputTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("hp-llava-next-input-").FullName;
    readonly LlavaNextModel _model = LlavaNextModel.Load(Fixtures.Path("llava-next-tiny"), new CpuBackend());

    public void Dispose()
    {
        _model.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void SixteenBitGreyscaleIsRefusedNamingTheFile()
    {
        string path = Write("grey16.png", TestPngEncoder.Encode(20, 20, colorType: 0, depth: 16, new int[20 * 20]));
        var e = Assert.Throws<ModelFormatException>(() => _model.Preprocess(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("16-bit greyscale PNG is not supported", e.Message);
    }

    [Fact]
    public void CorruptAndTruncatedFilesAreRefusedNamingTheFile()
    {
        string fake = Write("fake.png", "not an image at all"u8.ToArray());
        Assert.Contains($"{fake}: not a PNG or JPEG image", Assert.Throws<ModelFormatException>(() => _model.Preprocess(fake)).Message);
        var png = File.ReadAllBytes(Fixtures.Path("llava-next-tiny", "images", "img0_20x37_rgb.png"));
        string cut = Write("cut.png", png[..(png.Length / 2)]);
        Assert.Contains(cut, Assert.Throws<ModelFormatException>(() => _model.Preprocess(cut)).Message);
    }

    [Theory]
    [InlineData(1, 1, 36)]    // best [16, 32]; map 4x8 -> 4x4 (2 columns each side): 16 + 4 x 5
    [InlineData(60, 2, 16)]   // map 4x8 -> 0 rows kept: the base crop only, no newline (as HF)
    [InlineData(2, 70, 20)]   // every pinpoint scores 0, so the first; map 4x8 -> 0 columns kept: 4 rows of just a newline (as HF)
    public void TinyAndExtremeImagesTakeHfsTokenCounts(int width, int height, int tokens)
    {
        var pixels = new byte[width * height * 3];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)(i * 37);
        var image = (LlavaNextModel.Image)_model.Preprocess(new RgbImage(width, height, pixels), "tiny");
        var prompt = _model.Prepare([1, 7, 500, 9], [image]);
        Assert.Equal(tokens, prompt.ImagePositions.Length);
        Assert.Equal(3 + tokens, prompt.Ids.Length);
        Assert.All(_model.Forward(prompt), v => Assert.True(float.IsFinite(v)));
    }
}

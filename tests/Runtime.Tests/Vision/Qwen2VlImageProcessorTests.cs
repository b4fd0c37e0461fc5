using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Tests.Imaging;
using HeadPursuit.Runtime.Vision.Qwen25Vl;
using HeadPursuit.Tests;

namespace HeadPursuit.Runtime.Tests.Vision;

/// <summary>smart_resize's rounding and branches, and the images the Qwen2-VL processor cannot take, refused by name.</summary>
public sealed class Qwen2VlImageProcessorTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("hp-qwen-img-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(28, 20, 32, 16, nameof(SmartResizeBranch.Round))]       // 3.5 -> 4 and 2.5 -> 2: Python rounds half to even
    [InlineData(12, 36, 16, 32, nameof(SmartResizeBranch.Round))]       // 1.5 -> 2 and 4.5 -> 4
    [InlineData(23, 41, 24, 40, nameof(SmartResizeBranch.Round))]
    [InlineData(50, 70, 32, 48, nameof(SmartResizeBranch.MaxPixels))]   // 48 x 72 = 3456 > 2048: floor(H / beta / 8) * 8
    [InlineData(12, 10, 24, 16, nameof(SmartResizeBranch.MinPixels))]   // 16 x 8 = 128 < 256: ceil(H * beta / 8) * 8
    [InlineData(16, 16, 16, 16, nameof(SmartResizeBranch.Round))]
    public void SmartResizeFollowsHf(int height, int width, int h, int w, string branch) =>
        Assert.Equal((h, w, Enum.Parse<SmartResizeBranch>(branch)), SmartResize.Of(height, width, 8, 256, 2048, "test"));

    [Theory]
    [InlineData(7, 20, "needs at least 8 on each side")]
    [InlineData(8, 1700, "aspect ratio above 200")]
    [InlineData(8, 1600, "turns the 1600x8 image into 640x0")]
    public void SmartResizeRefusesWhatHfRefuses(int height, int width, string fragment)
    {
        var e = Assert.Throws<ArgumentException>(() => SmartResize.Of(height, width, 8, 256, 2048, "photo.png"));
        Assert.Contains("photo.png", e.Message);
        Assert.Contains(fragment, e.Message);
    }

    [Fact]
    public void ImagesTheProcessorCannotTakeAreRefusedNamingTheFile()
    {
        using var model = Qwen25VlModel.Load(Fixtures.Path("qwen25-vl-tiny"), new CpuBackend());
        string small = Path.Combine(_dir, "small.png");
        File.WriteAllBytes(small, TestPngEncoder.Encode(20, 6, colorType: 2, depth: 8, new int[6 * 20 * 3]));
        var e = Assert.Throws<ArgumentException>(() => model.Preprocess(small));
        Assert.Contains($"{small}: the image is 20x6 pixels; the Qwen2-VL processor needs at least 8 on each side", e.Message);

        string deep = Path.Combine(_dir, "grey16.png");
        File.WriteAllBytes(deep, TestPngEncoder.Encode(16, 16, colorType: 0, depth: 16, new int[16 * 16]));
        var e16 = Assert.Throws<ModelFormatException>(() => model.Preprocess(deep));
        Assert.Contains($"{deep}: 16-bit greyscale PNG is not supported", e16.Message);

        string corrupt = Path.Combine(_dir, "corrupt.png");
        var bytes = File.ReadAllBytes(Fixtures.Path("qwen25-vl-tiny", "images", "imgA_20x28_rgb.png"));
        File.WriteAllBytes(corrupt, bytes[..(bytes.Length / 2)]);
        var bad = Assert.Throws<ModelFormatException>(() => model.Preprocess(corrupt));
        Assert.Contains(corrupt, bad.Message);
    }

    [Fact]
    public void ThePreparedImageHoldsThePatchRowsOfItsGrid()
    {
        using var model = Qwen25VlModel.Load(Fixtures.Path("qwen25-vl-tiny"), new CpuBackend());
        var image = (Qwen25VlModel.Image)model.Preprocess(Fixtures.Path("qwen25-vl-tiny", "images", "imgD_70x50_rgb.png"));
        Assert.Equal(new ImageGrid(1, 8, 12), image.Grid);
        Assert.Equal(96 * 96, image.PixelValues.Length);
        Assert.Equal(24, image.Grid.Tokens(2));
    }
}

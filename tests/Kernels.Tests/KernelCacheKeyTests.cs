namespace HeadPursuit.Kernels.Tests;

public class KernelCacheKeyTests
{
    static readonly Dictionary<string, int> Defines = new() { ["D_HEAD"] = 64, ["HEADS"] = 8, ["KV_HEADS"] = 2 };

    [Fact]
    public void Same_inputs_give_the_same_key_whatever_the_define_order()
    {
        var reordered = new Dictionary<string, int> { ["KV_HEADS"] = 2, ["D_HEAD"] = 64, ["HEADS"] = 8 };
        string a = KernelCacheKey.Compute("sm_90", "13.0", "src", Defines);
        Assert.Equal(a, KernelCacheKey.Compute("sm_90", "13.0", "src", reordered));
        Assert.Matches("^[0-9a-f]{64}$", a);
    }

    [Fact]
    public void Any_change_gives_another_key()
    {
        string a = KernelCacheKey.Compute("sm_90", "13.0", "src", Defines);
        var keys = new[]
        {
            KernelCacheKey.Compute("sm_80", "13.0", "src", Defines),
            KernelCacheKey.Compute("sm_90", "12.8", "src", Defines),
            KernelCacheKey.Compute("sm_90", "13.0", "src ", Defines),
            KernelCacheKey.Compute("sm_90", "13.0", "src", new Dictionary<string, int>(Defines) { ["D_HEAD"] = 128 }),
            KernelCacheKey.Compute("sm_90", "13.0", "src", new Dictionary<string, int>()),
        };
        Assert.DoesNotContain(a, keys);
        Assert.Equal(keys.Length, keys.Distinct().Count());
    }

    [Fact]
    public void Cache_directory_is_the_variable_or_under_home()
    {
        Assert.Equal("/tmp/k", KernelCacheKey.Directory("/tmp/k", "/home/u"));
        Assert.Equal("/home/u/.cache/headpursuit/kernels", KernelCacheKey.Directory(null, "/home/u"));
        Assert.Equal("/home/u/.cache/headpursuit/kernels", KernelCacheKey.Directory(" ", "/home/u"));
    }
}

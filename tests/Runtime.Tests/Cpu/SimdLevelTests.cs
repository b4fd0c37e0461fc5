using HeadPursuit.Runtime.Cpu;

namespace HeadPursuit.Runtime.Tests.Cpu;

public sealed class SimdLevelTests
{
    [Fact]
    public void TheRuntimeSwitchesDecideTheWidestFamily()
    {
        // CI runs the fixture tests a second time under DOTNET_EnableAVX512=0: this test, part of that run, checks that
        // the switch reached the kernels (so that run really exercised the AVX2 family).
        bool avx512Off = Environment.GetEnvironmentVariable("DOTNET_EnableAVX512") == "0";
        bool avx2Off = Environment.GetEnvironmentVariable("DOTNET_EnableAVX2") == "0";
        if (avx2Off) Assert.Equal(SimdLevel.Scalar, CpuSimd.Best);
        else if (avx512Off) Assert.Equal(SimdLevel.Avx2, CpuSimd.Best);
        Assert.Equal(CpuSimd.Best, CpuSimd.Level);
        Assert.Equal(CpuSimd.Best, CpuSimd.Available[^1]);
        Assert.Equal(SimdLevel.Scalar, CpuSimd.Available[0]);
    }

    [Fact]
    public void ALevelAboveTheCpuIsRefusedByName()
    {
        if (CpuSimd.Best == SimdLevel.Avx512) return;   // nothing is above it
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => CpuSimd.Level = SimdLevel.Avx512);
        Assert.Contains("at most", e.Message);
    }
}

using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Backends.Cpu;

namespace HeadPursuit.Kernels.Tests;

public class BackendFactoryTests
{
    static IBackend NoGpu() => throw new CudaUnavailableException("no CUDA device: test");

    [Fact]
    public void Cpu_is_the_cpu_backend_without_a_notice()
    {
        using var b = BackendFactory.Create("cpu", out string? notice, NoGpu);
        Assert.IsType<CpuBackend>(b);
        Assert.Null(notice);
    }

    [Fact]
    public void Auto_falls_back_to_the_cpu_with_a_one_line_notice_giving_the_reason()
    {
        using var b = BackendFactory.Create("auto", out string? notice, NoGpu);
        Assert.IsType<CpuBackend>(b);
        Assert.NotNull(notice);
        Assert.Contains("no CUDA device: test", notice);
        Assert.DoesNotContain('\n', notice);
    }

    [Fact]
    public void Auto_takes_cuda_when_it_can_be_created()
    {
        var stand_in = new CpuBackend();   // stands in for a CUDA backend that opened
        using var b = BackendFactory.Create("auto", out string? notice, () => stand_in);
        Assert.Same(stand_in, b);
        Assert.Null(notice);
    }

    [Fact]
    public void Cuda_does_not_fall_back()
    {
        Assert.Throws<CudaUnavailableException>(() => BackendFactory.Create("cuda", out _, NoGpu));
    }

    [Fact]
    public void Other_failures_are_not_hidden_by_auto()
    {
        Assert.Throws<CudaException>(() => BackendFactory.Create("auto", out _, () => throw new CudaException("cuInit failed: test")));
    }

    [Fact]
    public void Unknown_device_names_the_choices()
    {
        var e = Assert.Throws<ArgumentException>(() => BackendFactory.Create("tpu", out _, NoGpu));
        Assert.Contains("tpu", e.Message);
        Assert.Contains("cpu, cuda, auto", e.Message);
    }

    [Fact]
    public void On_this_machine_the_real_factory_agrees_with_gpu_presence()
    {
        using var b = BackendFactory.Create("auto", out string? notice);
        if (Gpu.Available)
        {
            Assert.IsType<CudaBackend>(b);
            Assert.Null(notice);
        }
        else
        {
            Assert.IsType<CpuBackend>(b);
            Assert.Contains(Gpu.Reason, notice);
            Assert.Throws<CudaUnavailableException>(() => new CudaBackend());
        }
    }
}

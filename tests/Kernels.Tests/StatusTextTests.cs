using HeadPursuit.Kernels.Native;

namespace HeadPursuit.Kernels.Tests;

public class StatusTextTests
{
    [Theory]
    [InlineData(2, "CUDA_ERROR_OUT_OF_MEMORY (2)")]
    [InlineData(100, "CUDA_ERROR_NO_DEVICE (100)")]
    [InlineData(209, "CUDA_ERROR_NO_BINARY_FOR_GPU (209)")]
    [InlineData(700, "CUDA_ERROR_ILLEGAL_ADDRESS (700)")]
    public void Driver_codes_have_their_names(int code, string name) => Assert.StartsWith(name, StatusText.Driver(code));

    [Theory]
    [InlineData(5, "NVRTC_ERROR_INVALID_OPTION (5)")]
    [InlineData(6, "NVRTC_ERROR_COMPILATION (6)")]
    [InlineData(7, "NVRTC_ERROR_BUILTIN_OPERATION_FAILURE (7)")]
    public void Nvrtc_codes_have_their_names(int code, string name) => Assert.StartsWith(name, StatusText.Nvrtc(code));

    [Theory]
    [InlineData(7, "CUBLAS_STATUS_INVALID_VALUE (7)")]
    [InlineData(13, "CUBLAS_STATUS_EXECUTION_FAILED (13)")]
    [InlineData(15, "CUBLAS_STATUS_NOT_SUPPORTED (15)")]
    public void Cublas_codes_have_their_names(int code, string name) => Assert.StartsWith(name, StatusText.Cublas(code));

    [Fact]
    public void Unknown_codes_still_name_the_library_and_the_code()
    {
        Assert.Equal("CUDA driver error 12345", StatusText.Driver(12345));
        Assert.Equal("NVRTC error 99", StatusText.Nvrtc(99));
        Assert.Equal("cuBLAS error 42", StatusText.Cublas(42));
    }

    [Fact]
    public void Failed_calls_throw_with_the_call_and_the_status()
    {
        var e = Assert.Throws<CudaException>(() => Cublas.Check(15, "cublasGemmEx(test)"));
        Assert.Equal("cublasGemmEx(test) failed: " + StatusText.Cublas(15), e.Message);
        var n = Assert.Throws<CudaException>(() => Nvrtc.Check(6, "nvrtcCompileProgram"));
        Assert.Contains("NVRTC_ERROR_COMPILATION", n.Message);
        Cublas.Check(0, "no error");   // success does not throw
    }
}

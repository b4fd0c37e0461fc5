namespace HeadPursuit.Kernels;

/// <summary>A CUDA driver, NVRTC or cuBLAS call returned an error status; the message names the call and the status.</summary>
internal sealed class CudaException(string message) : Exception(message);

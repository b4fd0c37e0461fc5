namespace HeadPursuit.Kernels;

/// <summary>No usable CUDA here: a library is missing (the message names every path tried) or there is no CUDA device.</summary>
public sealed class CudaUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

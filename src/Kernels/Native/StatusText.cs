namespace HeadPursuit.Kernels.Native;

/// <summary>
/// Status codes of the three libraries as "NAME (code): meaning". Used for NVRTC and cuBLAS (which have no
/// lookup we bind) and for the driver when libcuda itself cannot answer. Unknown codes still name the library and code.
/// </summary>
internal static class StatusText
{
    public static string Driver(int status) => status switch
    {
        0 => "CUDA_SUCCESS (0)",
        1 => "CUDA_ERROR_INVALID_VALUE (1): an argument is out of range",
        2 => "CUDA_ERROR_OUT_OF_MEMORY (2): device memory exhausted",
        3 => "CUDA_ERROR_NOT_INITIALIZED (3): cuInit has not been called",
        4 => "CUDA_ERROR_DEINITIALIZED (4): the driver is shutting down",
        100 => "CUDA_ERROR_NO_DEVICE (100): no CUDA-capable device is detected",
        101 => "CUDA_ERROR_INVALID_DEVICE (101): the device ordinal is not valid",
        200 => "CUDA_ERROR_INVALID_IMAGE (200): the kernel image is not valid",
        201 => "CUDA_ERROR_INVALID_CONTEXT (201): no valid context is current",
        209 => "CUDA_ERROR_NO_BINARY_FOR_GPU (209): the kernel image was not built for this device",
        218 => "CUDA_ERROR_INVALID_PTX (218): the PTX failed to compile",
        222 => "CUDA_ERROR_UNSUPPORTED_PTX_VERSION (222): the PTX is newer than this driver",
        400 => "CUDA_ERROR_INVALID_HANDLE (400): a handle is not valid",
        500 => "CUDA_ERROR_NOT_FOUND (500): a named symbol (kernel) was not found",
        700 => "CUDA_ERROR_ILLEGAL_ADDRESS (700): a kernel accessed an illegal address",
        701 => "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES (701): too many registers or threads for the launch",
        702 => "CUDA_ERROR_LAUNCH_TIMEOUT (702): a kernel ran too long",
        719 => "CUDA_ERROR_LAUNCH_FAILED (719): a kernel failed",
        999 => "CUDA_ERROR_UNKNOWN (999)",
        _ => $"CUDA driver error {status}",
    };

    public static string Nvrtc(int status) => status switch
    {
        0 => "NVRTC_SUCCESS (0)",
        1 => "NVRTC_ERROR_OUT_OF_MEMORY (1)",
        2 => "NVRTC_ERROR_PROGRAM_CREATION_FAILURE (2)",
        3 => "NVRTC_ERROR_INVALID_INPUT (3)",
        4 => "NVRTC_ERROR_INVALID_PROGRAM (4)",
        5 => "NVRTC_ERROR_INVALID_OPTION (5): an option (e.g. --gpu-architecture) is not accepted by this NVRTC",
        6 => "NVRTC_ERROR_COMPILATION (6): the source did not compile (see the program log)",
        7 => "NVRTC_ERROR_BUILTIN_OPERATION_FAILURE (7): NVRTC could not load its builtins library (is libnvrtc-builtins next to libnvrtc?)",
        11 => "NVRTC_ERROR_INTERNAL_ERROR (11)",
        _ => $"NVRTC error {status}",
    };

    public static string Cublas(int status) => status switch
    {
        0 => "CUBLAS_STATUS_SUCCESS (0)",
        1 => "CUBLAS_STATUS_NOT_INITIALIZED (1): the handle was not created",
        3 => "CUBLAS_STATUS_ALLOC_FAILED (3): cuBLAS could not allocate memory",
        7 => "CUBLAS_STATUS_INVALID_VALUE (7): an argument (size, leading dimension, type) is not valid",
        8 => "CUBLAS_STATUS_ARCH_MISMATCH (8): the device lacks a feature the call needs",
        11 => "CUBLAS_STATUS_MAPPING_ERROR (11)",
        13 => "CUBLAS_STATUS_EXECUTION_FAILED (13): a kernel failed to run",
        14 => "CUBLAS_STATUS_INTERNAL_ERROR (14)",
        15 => "CUBLAS_STATUS_NOT_SUPPORTED (15): this type or layout combination is not supported",
        16 => "CUBLAS_STATUS_LICENSE_ERROR (16)",
        _ => $"cuBLAS error {status}",
    };
}

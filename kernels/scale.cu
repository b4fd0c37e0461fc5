// Element-wise scalings over n values (grid-stride loops).
// scale_values: x *= s.   soft_cap: x = cap * tanh(x / cap), tanh(u) = 1 - 2 / (exp(2u) + 1).

extern "C" __global__ void scale_values(float* x, long long n, float s)
{
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x)
        x[i] *= s;
}

extern "C" __global__ void soft_cap(float* x, long long n, float cap)
{
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x)
        x[i] = cap * (1.0f - 2.0f / (__expf(2.0f * x[i] / cap) + 1.0f));
}

// Element-wise MLP activations (grid-stride loops).
// gelu_tanh: x = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) in place over n values,
//            with tanh(u) = 1 - 2 / (exp(2u) + 1) (exact at both infinities: exp overflow gives 1, underflow -1).
// silu_gate: y[r, j] = silu(g) * u with g = gate_up[r, j], u = gate_up[r, f + j]; gate_up [rows, 2f], y [rows, f].

extern "C" __global__ void gelu_tanh(float* x, long long n)
{
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x)
    {
        float v = x[i];
        float u = 0.7978845608028654f * (v + 0.044715f * v * v * v);
        float t = 1.0f - 2.0f / (__expf(2.0f * u) + 1.0f);
        x[i] = 0.5f * v * (1.0f + t);
    }
}

extern "C" __global__ void silu_gate(const float* gate_up, float* y, int rows, int f)
{
    long long n = (long long)rows * f;
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x)
    {
        long long r = i / f, j = i % f;
        float g = gate_up[r * 2 * f + j], u = gate_up[r * 2 * f + f + j];
        y[i] = g / (1.0f + __expf(-g)) * u;
    }
}

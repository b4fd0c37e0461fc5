// Element-wise MLP activations (grid-stride loops); `act` picks one (the values of the C# enum Activation):
//   0 gelu_tanh: 0.5 v (1 + tanh(sqrt(2/pi) (v + 0.044715 v^3))), tanh(u) = 1 - 2 / (exp(2u) + 1)
//                (exact at both infinities: exp overflow gives 1, underflow -1)
//   1 gelu_erf:  0.5 v (1 + erf(v / sqrt 2)), erf from erfc's rational approximation below
//   2 silu:      v / (1 + exp(-v))
// activate:       x = act(x) in place over n values.
// activate_gated: y[r, j] = act(g) * u with g = gate_up[r, j], u = gate_up[r, f + j]; gate_up [rows, 2f], y [rows, f].

// erfc(z) for z >= 0 as t exp(-z^2 + P(t)), t = 1 / (1 + z / 2): Numerical Recipes' Chebyshev fit (erfcc), whose
// fractional error is below 1.2e-7 everywhere.
static __device__ float erfc_nonnegative(float z)
{
    float t = 1.0f / (1.0f + 0.5f * z);
    float p = -1.26551223f + t * (1.00002368f + t * (0.37409196f + t * (0.09678418f + t * (-0.18628806f + t * (0.27886807f
              + t * (-1.13520398f + t * (1.48851587f + t * (-0.82215223f + t * 0.17087277f))))))));
    return t * __expf(-z * z + p);
}

static __device__ float act_of(float v, int act)
{
    if (act == 0)
    {
        float u = 0.7978845608028654f * (v + 0.044715f * v * v * v);
        return 0.5f * v * (1.0f + (1.0f - 2.0f / (__expf(2.0f * u) + 1.0f)));
    }
    if (act == 1)
    {
        float z = v * 0.70710678118654752f;
        float erf = z >= 0.0f ? 1.0f - erfc_nonnegative(z) : erfc_nonnegative(-z) - 1.0f;
        return 0.5f * v * (1.0f + erf);
    }
    return v / (1.0f + __expf(-v));
}

extern "C" __global__ void activate(float* x, long long n, int act)
{
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x)
        x[i] = act_of(x[i], act);
}

extern "C" __global__ void activate_gated(const float* gate_up, float* y, int rows, int f, int act)
{
    long long n = (long long)rows * f;
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x)
    {
        long long r = i / f, j = i % f;
        y[i] = act_of(gate_up[r * 2 * f + j], act) * gate_up[r * 2 * f + f + j];
    }
}

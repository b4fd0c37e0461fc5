// Additions. add_rows: x[i] += y[i] over n values (the residual add). add_bias: y[r, c] += b[c], y [rows, cols].

extern "C" __global__ void add_rows(float* x, const float* y, long long n)
{
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x)
        x[i] += y[i];
}

extern "C" __global__ void add_bias(float* y, const float* b, int rows, int cols)
{
    long long n = (long long)rows * cols;
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x)
        y[i] += b[i % cols];
}

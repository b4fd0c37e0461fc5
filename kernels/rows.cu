// Row gather: dst[i, :] = src[index[i], :]; src [*, cols], index [n], dst [n, cols]. One block per output row.
extern "C" __global__ void gather_rows(const float* src, const int* index, float* dst, int cols)
{
    const float* from = src + (long long)index[blockIdx.x] * cols;
    float* to = dst + (long long)blockIdx.x * cols;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) to[c] = from[c];
}

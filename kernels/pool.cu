// Streaming pooled capture: sums[sample[r], offset + c] += weight[r] * z[r, c] for rows with sample[r] >= 0.
// z [rows, cols]; sample [rows]; weight [rows]; sums [samples, sum_cols]. One block per row; rows of one sample
// add into the same sums row, hence atomicAdd (the order of the additions is not fixed).
extern "C" __global__ void pool_rows(const float* z, int cols, const int* sample, const float* weight, float* sums, int sum_cols, int offset)
{
    int s = sample[blockIdx.x];
    if (s < 0) return;
    float w = weight[blockIdx.x];
    const float* row = z + (long long)blockIdx.x * cols;
    float* dst = sums + (long long)s * sum_cols + offset;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) atomicAdd(dst + c, w * row[c]);
}

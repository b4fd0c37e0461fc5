// Per-head rescaling: z[r, h*d_head : (h+1)*d_head] *= alpha[h] for rows with mask[r] != 0.
// z [rows, cols] with cols = heads * d_head; alpha [heads]; mask [rows] bytes. One block per row.
extern "C" __global__ void scale_heads(float* z, int cols, int d_head, const float* alpha, const unsigned char* mask)
{
    if (mask[blockIdx.x] == 0) return;
    float* row = z + (long long)blockIdx.x * cols;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) row[c] *= alpha[c / d_head];
}

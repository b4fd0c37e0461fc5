// Causal self-attention over a packed batch (rows of several sequences end to end), with GQA and an optional window.
// Compile-time: D_HEAD, HEADS, KV_HEADS. Layouts:
//   qkv [rows, (HEADS + 2 KV_HEADS) D_HEAD] = [q heads | k heads | v heads] (RoPE already applied by rope_rows)
//   row_pos [rows]: absolute position; row_slot [rows]: KV-cache slot of the row's sequence
//   k_cache, v_cache [slots * max_t, KV_HEADS D_HEAD]: slot s owns rows s*max_t .. s*max_t + max_t - 1
//   z [rows, HEADS D_HEAD]; stats [rows, HEADS, 2] = (max score, softmax denominator) per (row, head)
// The epilogue runs on each head's z as it is produced (any pointer may be 0 = off), in this order:
//   raw_z [rows, HEADS D_HEAD]   the pre-scale z (recordings)
//   pooled capture               sums[row_sample[r] * sums_cols + pool_offset + h D_HEAD + c] += row_weight[r] * z
//                                (rows of one sample may run in parallel blocks, hence atomicAdd)
//   head scale                   z *= alpha[h] where scale_rows[r] != 0
// Query head h reads kv head h / (HEADS / KV_HEADS). A query at position p sees keys first..last with
// first = max(0, p - window + 1) when window > 0, else 0, and last = p; when block_first is given and the row's
// block_first >= 0, the row lies in an image block [block_first, block_last] inside which attention is bidirectional:
// first = min(first, block_first), last = max(p, block_last) (see visible_keys). Scores are (q . k) * scale, then softcap * tanh(score / softcap)
// when softcap > 0 (Gemma 2), with tanh(u) = 1 - 2 / (exp(2u) + 1).
// Block layout, also from the host (CudaBackend passes both, and launches ATTN_WARPS * 32 threads and tiles of TILE_Q rows):
//   ATTN_WARPS warps per block; attention_tiled takes TILE_Q queries per block, TILE_Q / ATTN_WARPS per warp.
#if !defined(D_HEAD) || !defined(HEADS) || !defined(KV_HEADS) || !defined(ATTN_WARPS) || !defined(TILE_Q)
#error "attention.cu needs -DD_HEAD, -DHEADS, -DKV_HEADS, -DATTN_WARPS and -DTILE_Q"
#endif
#if TILE_Q % ATTN_WARPS != 0
#error "TILE_Q must be a multiple of ATTN_WARPS"
#endif

#define Q_DIM (HEADS * D_HEAD)
#define KV_DIM (KV_HEADS * D_HEAD)
#define QKV_DIM (Q_DIM + 2 * KV_DIM)
#define PER_LANE ((D_HEAD + 31) / 32)       // head dimensions owned by each lane: lane, lane + 32, ...
#define LOWEST (-3.402823466e38f)

// The key range row r sees (BatchLayout.VisibleKeys in C#).
static __device__ void visible_keys(int r, int pos, int window, const int* block_first, const int* block_last, int* first, int* last)
{
    *first = window > 0 && pos - window + 1 > 0 ? pos - window + 1 : 0;
    *last = pos;
    if (block_first && block_first[r] >= 0)
    {
        if (block_first[r] < *first) *first = block_first[r];
        if (block_last[r] > *last) *last = block_last[r];
    }
}

static __device__ float capped(float score, float softcap)
{
    return softcap > 0.0f ? softcap * (1.0f - 2.0f / (__expf(2.0f * score / softcap) + 1.0f)) : score;
}

static __device__ float warp_sum(float v)
{
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

// Copies each row's k and v into its cache row slot * max_t + position. One block per row.
extern "C" __global__ void store_kv(const float* qkv, const int* row_pos, const int* row_slot, float* k_cache, float* v_cache, int max_t)
{
    const float* row = qkv + (long long)blockIdx.x * QKV_DIM;
    long long cache_row = (long long)row_slot[blockIdx.x] * max_t + row_pos[blockIdx.x];
    for (int c = threadIdx.x; c < KV_DIM; c += blockDim.x)
    {
        k_cache[cache_row * KV_DIM + c] = row[Q_DIM + c];
        v_cache[cache_row * KV_DIM + c] = row[Q_DIM + KV_DIM + c];
    }
}

// The decode path (and prefill when D_HEAD > 128): one block per (row, query head): warp w takes keys first + w,
// first + w + ATTN_WARPS, ... with an online softmax (running max m, denominator l, weighted value sum acc), then warp 0
// merges the warps' partial results.
extern "C" __global__ void attention(const float* qkv, const int* row_pos, const int* row_slot, const float* k_cache, const float* v_cache,
                                     int max_t, int window, const int* block_first, const int* block_last, float scale, float softcap,
                                     float* z, float* stats, float* raw_z,
                                     const int* row_sample, const float* row_weight, float* sums, int sums_cols, int pool_offset,
                                     const float* alpha, const unsigned char* scale_rows)
{
    __shared__ float part_m[ATTN_WARPS], part_l[ATTN_WARPS];
    __shared__ float part_acc[ATTN_WARPS][PER_LANE * 32];
    const int r = blockIdx.x, h = blockIdx.y, kvh = h / (HEADS / KV_HEADS);
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    int first, last;
    visible_keys(r, row_pos[r], window, block_first, block_last, &first, &last);
    const float* q = qkv + (long long)r * QKV_DIM + h * D_HEAD;
    const long long base = (long long)row_slot[r] * max_t * KV_DIM + kvh * D_HEAD;

    float qv[PER_LANE], acc[PER_LANE];
    for (int i = 0; i < PER_LANE; i++)
    {
        int c = lane + 32 * i;
        qv[i] = c < D_HEAD ? q[c] : 0.0f;
        acc[i] = 0.0f;
    }
    float m = LOWEST, l = 0.0f;
    for (int s = first + warp; s <= last; s += ATTN_WARPS)
    {
        const float* k = k_cache + base + (long long)s * KV_DIM;
        const float* v = v_cache + base + (long long)s * KV_DIM;
        float dot = 0.0f;
        for (int i = 0; i < PER_LANE; i++) { int c = lane + 32 * i; if (c < D_HEAD) dot += qv[i] * k[c]; }
        float score = capped(warp_sum(dot) * scale, softcap);
        float m_new = score > m ? score : m;
        float correction = __expf(m - m_new), p = __expf(score - m_new);
        l = l * correction + p;
        for (int i = 0; i < PER_LANE; i++) { int c = lane + 32 * i; acc[i] = acc[i] * correction + (c < D_HEAD ? p * v[c] : 0.0f); }
        m = m_new;
    }
    if (lane == 0) { part_m[warp] = m; part_l[warp] = l; }
    for (int i = 0; i < PER_LANE; i++) part_acc[warp][lane + 32 * i] = acc[i];
    __syncthreads();
    if (warp != 0) return;
    float big = part_m[0];   // warp 0 always has key `first`, so big is a real score
    for (int w = 1; w < ATTN_WARPS; w++) big = part_m[w] > big ? part_m[w] : big;
    float weight[ATTN_WARPS], total = 0.0f;
    for (int w = 0; w < ATTN_WARPS; w++) { weight[w] = __expf(part_m[w] - big); total += part_l[w] * weight[w]; }
    const int sample = row_sample ? row_sample[r] : -1;
    const float head_scale = alpha && scale_rows[r] ? alpha[h] : 1.0f;
    for (int i = 0; i < PER_LANE; i++)
    {
        int c = lane + 32 * i;
        if (c >= D_HEAD) continue;
        float out = 0.0f;
        for (int w = 0; w < ATTN_WARPS; w++) out += part_acc[w][c] * weight[w];
        out /= total;
        long long at = (long long)r * Q_DIM + h * D_HEAD + c;
        if (raw_z) raw_z[at] = out;
        if (sample >= 0) atomicAdd(sums + (long long)sample * sums_cols + pool_offset + h * D_HEAD + c, row_weight[r] * out);
        z[at] = head_scale * out;
    }
    if (lane == 0) { stats[((long long)r * HEADS + h) * 2] = big; stats[((long long)r * HEADS + h) * 2 + 1] = total; }
}

#define TILE_K 32                           // attention_tiled: keys per shared-memory tile, one per lane of a warp
#define Q_PER_WARP (TILE_Q / ATTN_WARPS)

static __device__ float warp_max(float v)
{
    for (int o = 16; o > 0; o >>= 1) { float other = __shfl_xor_sync(0xffffffffu, v, o); v = other > v ? other : v; }
    return v;
}

// The prefill path (D_HEAD <= 128): one block per (tile, query head), a tile being up to TILE_Q consecutive rows of one
// sequence (tile_row [tiles]: its first row; tile_rows [tiles]: how many). The block walks the keys of the tile's
// range in tiles of TILE_K held in shared memory, so each key and value is read once per tile of queries rather than
// once per query; warp w owns queries w * Q_PER_WARP ..., lane k scores key k of the tile, and the lanes own head
// dimensions for the weighted sum (online softmax as in `attention`). Same outputs and epilogue as `attention`.
#if D_HEAD <= 128
extern "C" __global__ void attention_tiled(const float* qkv, const int* tile_row, const int* tile_rows, const int* row_pos, const int* row_slot,
                                           const float* k_cache, const float* v_cache, int max_t, int window, const int* block_first,
                                           const int* block_last, float scale, float softcap, float* z,
                                           float* stats, float* raw_z, const int* row_sample, const float* row_weight, float* sums,
                                           int sums_cols, int pool_offset, const float* alpha, const unsigned char* scale_rows)
{
    __shared__ float q_s[TILE_Q][D_HEAD];
    __shared__ float k_s[TILE_K][D_HEAD + 1];   // +1: lane k reads row k, column c: distinct banks
    __shared__ float v_s[TILE_K][D_HEAD];
    const int h = blockIdx.y, kvh = h / (HEADS / KV_HEADS);
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    const int r0 = tile_row[blockIdx.x], count = tile_rows[blockIdx.x];
    const int pos0 = row_pos[r0];
    int key_first = 0x7fffffff, key_last = 0;   // the union of the tile's rows' key ranges
    for (int qi = 0; qi < count; qi++)
    {
        int f, l;
        visible_keys(r0 + qi, pos0 + qi, window, block_first, block_last, &f, &l);
        if (f < key_first) key_first = f;
        if (l > key_last) key_last = l;
    }
    const long long base = (long long)row_slot[r0] * max_t * KV_DIM + kvh * D_HEAD;

    for (int i = threadIdx.x; i < TILE_Q * D_HEAD; i += blockDim.x)
    {
        int qi = i / D_HEAD, c = i % D_HEAD;
        q_s[qi][c] = qi < count ? qkv[(long long)(r0 + qi) * QKV_DIM + h * D_HEAD + c] : 0.0f;
    }
    float m[Q_PER_WARP], l[Q_PER_WARP], acc[Q_PER_WARP][PER_LANE];
    for (int j = 0; j < Q_PER_WARP; j++)
    {
        m[j] = LOWEST; l[j] = 0.0f;
        for (int i = 0; i < PER_LANE; i++) acc[j][i] = 0.0f;
    }
    for (int s0 = key_first; s0 <= key_last; s0 += TILE_K)
    {
        __syncthreads();   // the previous tile is no longer read
        for (int i = threadIdx.x; i < TILE_K * D_HEAD; i += blockDim.x)
        {
            int kk = i / D_HEAD, c = i % D_HEAD;
            long long at = base + (long long)(s0 + kk) * KV_DIM + c;
            bool in = s0 + kk <= key_last;
            k_s[kk][c] = in ? k_cache[at] : 0.0f;
            v_s[kk][c] = in ? v_cache[at] : 0.0f;
        }
        __syncthreads();
        for (int j = 0; j < Q_PER_WARP; j++)
        {
            const int qi = warp * Q_PER_WARP + j;   // the same for the whole warp, as every branch below
            if (qi >= count) break;
            const int s = s0 + lane;
            int first, last;
            visible_keys(r0 + qi, pos0 + qi, window, block_first, block_last, &first, &last);
            float dot = 0.0f;
            for (int c = 0; c < D_HEAD; c++) dot += q_s[qi][c] * k_s[lane][c];
            const bool valid = s >= first && s <= last;
            const float score = valid ? capped(dot * scale, softcap) : LOWEST;
            const float tile_max = warp_max(score);
            if (tile_max == LOWEST) continue;   // none of this tile's keys is visible to this query
            const float m_new = tile_max > m[j] ? tile_max : m[j];
            const float correction = __expf(m[j] - m_new), p = valid ? __expf(score - m_new) : 0.0f;
            l[j] = l[j] * correction + warp_sum(p);
            for (int i = 0; i < PER_LANE; i++) acc[j][i] *= correction;
            for (int kk = 0; kk < TILE_K; kk++)
            {
                const float pk = __shfl_sync(0xffffffffu, p, kk);
                for (int i = 0; i < PER_LANE; i++) { int c = lane + 32 * i; if (c < D_HEAD) acc[j][i] += pk * v_s[kk][c]; }
            }
            m[j] = m_new;
        }
    }
    for (int j = 0; j < Q_PER_WARP; j++)
    {
        const int qi = warp * Q_PER_WARP + j;
        if (qi >= count) break;
        const int r = r0 + qi;
        const int sample = row_sample ? row_sample[r] : -1;
        const float head_scale = alpha && scale_rows[r] ? alpha[h] : 1.0f;
        for (int i = 0; i < PER_LANE; i++)
        {
            int c = lane + 32 * i;
            if (c >= D_HEAD) continue;
            float out = acc[j][i] / l[j];
            long long at = (long long)r * Q_DIM + h * D_HEAD + c;
            if (raw_z) raw_z[at] = out;
            if (sample >= 0) atomicAdd(sums + (long long)sample * sums_cols + pool_offset + h * D_HEAD + c, row_weight[r] * out);
            z[at] = head_scale * out;
        }
        if (lane == 0) { stats[((long long)r * HEADS + h) * 2] = m[j]; stats[((long long)r * HEADS + h) * 2 + 1] = l[j]; }
    }
}
#endif

// Attention probabilities of one sequence starting at position 0 (a test/recording path, not the fast path):
// probs [HEADS, rows, rows], probs[h, r, s] = exp(score - max) / denominator for s in first..last (the rest stays 0),
// with (max, denominator) from `attention`'s stats. One block per (row, head); each thread takes whole keys.
extern "C" __global__ void attention_probs(const float* qkv, const float* k_cache, int window, const int* block_first, const int* block_last,
                                           float scale, float softcap, const float* stats, int rows, float* probs)
{
    const int r = blockIdx.x, h = blockIdx.y, kvh = h / (HEADS / KV_HEADS);
    int first, last;
    visible_keys(r, r, window, block_first, block_last, &first, &last);
    const float* q = qkv + (long long)r * QKV_DIM + h * D_HEAD;
    const float big = stats[((long long)r * HEADS + h) * 2], total = stats[((long long)r * HEADS + h) * 2 + 1];
    for (int s = first + threadIdx.x; s <= last; s += blockDim.x)
    {
        const float* k = k_cache + (long long)s * KV_DIM + kvh * D_HEAD;
        float dot = 0.0f;
        for (int c = 0; c < D_HEAD; c++) dot += q[c] * k[c];
        probs[((long long)h * rows + r) * rows + s] = __expf(capped(dot * scale, softcap) - big) / total;
    }
}

using HeadPursuit.Kernels.Native;
using HeadPursuit.Runtime;
using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Cpu;
using HeadPursuit.Runtime.Tensors;

namespace HeadPursuit.Kernels;

/// <summary>
/// The ops of <see cref="IBackend"/> on an NVIDIA GPU: cuBLAS GemmEx for the projections (weights in their file
/// dtype; fp32 weights multiply fp32 activations, bf16/f16 weights multiply activations rounded to the same dtype;
/// fp32 accumulation always) and our NVRTC-compiled kernels (kernels/*.cu) for everything else. Every call is
/// queued on the device's one stream; Download waits. Semantics are those of CpuBackend, op by op
/// (bench/gpu checks them side by side).
/// </summary>
public sealed unsafe class CudaBackend : IBackend
{
    const int RowThreads = 256;   // threads per block of the one-block-per-row kernels
    const int AttentionWarps = 4;       // attention blocks are AttentionWarps * 32 threads (ATTN_WARPS in attention.cu)
    const int TileQueries = 16;         // queries per block of attention_tiled (TILE_Q in attention.cu)
    const int TiledMaxDHead = 128;      // attention_tiled exists for D_HEAD <= 128 (its shared-memory tiles fit in 48 KB)

    readonly CudaContext _context;
    readonly bool _ownsContext;
    readonly CudaDevice _device;
    readonly Dictionary<RopeTable, (DeviceBuffer Cos, DeviceBuffer Sin, int Positions)> _ropeTables = [];
    readonly GrowableBuffer _ints, _rowPos, _ropePos, _blockFirst, _blockLast, _rowSlots, _tiles, _tileRows, _lowPrecision, _stats, _probs, _poolSample, _poolWeight, _alpha, _scaleRows;
    int[] _rowSlot = [];   // [rows] host staging for the attention's row -> slot map

    /// <summary>The device, kernels and cuBLAS handle this backend works through (shared with <see cref="CudaSomp"/>).</summary>
    internal CudaContext Context => _context;
    internal CudaDevice Device => _device;
    /// <summary>"cuda" and the device's name.</summary>
    public string Name => $"cuda ({_device})";

    /// <summary>Opens device <paramref name="ordinal"/>. Throws <see cref="CudaUnavailableException"/> when libcuda, NVRTC, cuBLAS or a device is missing.</summary>
    public CudaBackend(int ordinal = 0) : this(CudaContext.Open(ordinal), ownsContext: true) { }

    /// <summary>A backend on an open context; <paramref name="ownsContext"/>: disposing the backend disposes the context.</summary>
    internal CudaBackend(CudaContext context, bool ownsContext)
    {
        _context = context; _ownsContext = ownsContext; _device = context.Device;
        _ints = new(_device); _rowPos = new(_device); _ropePos = new(_device); _blockFirst = new(_device); _blockLast = new(_device); _rowSlots = new(_device); _tiles = new(_device); _tileRows = new(_device);
        _lowPrecision = new(_device); _stats = new(_device); _probs = new(_device);
        _poolSample = new(_device); _poolWeight = new(_device); _alpha = new(_device); _scaleRows = new(_device);
    }

    KernelFunction Kernel(string file, string name) => _context.Kernel(file, name);

    /// <summary>A kernel compiled for one attention shape: its sizes and the attention kernels' block layout as -D defines.</summary>
    KernelFunction Kernel(string file, string name, AttentionShape shape) => _context.Kernel(file, name, new Dictionary<string, int>
    {
        ["D_HEAD"] = shape.DHead, ["HEADS"] = shape.Heads, ["KV_HEADS"] = shape.KvHeads, ["ATTN_WARPS"] = AttentionWarps, ["TILE_Q"] = TileQueries,
    });

    /// <summary>Blocks for a grid-stride loop over n values: enough to fill the device, no more.</summary>
    Dim3 Spread(long n) => new((int)Math.Clamp((n + RowThreads - 1) / RowThreads, 1, _device.Multiprocessors * 16L));

    // ---- memory ----

    DeviceTensor IBackend.Matrix(WeightMatrix w)
    {
        CheckFloatDType(w.DType, w.View.Name, w.View.Source);
        var buffer = _device.Allocate(w.View.ByteLength);
        _device.Upload(w.View.Bytes, buffer);
        return new CudaTensor(buffer, w.In, w.Out, w.DType, w.Layout);
    }

    DeviceTensor IBackend.Vector(float[] v)
    {
        var buffer = _device.Allocate(v.Length * 4L);
        _device.Upload<float>(v, buffer);
        return new CudaTensor(buffer, 1, v.Length, DType.F32);
    }

    DeviceTensor IBackend.Table(TensorView table)
    {
        CheckFloatDType(table.DType, table.Name, table.Source);
        if (table.Rank != 2) throw new ModelFormatException($"embedding table '{table.Name}' in {table.Source} has shape {table.ShapeText}, expected [rows, d]");
        var buffer = _device.Allocate(table.ByteLength);
        _device.Upload(table.Bytes, buffer);
        return new CudaTensor(buffer, table.Shape[0], table.Shape[1], table.DType);
    }

    static void CheckFloatDType(DType dtype, string name, string source)
    {
        if (dtype is not (DType.F32 or DType.BF16 or DType.F16))
            throw new ModelFormatException($"tensor '{name}' in {source} is {dtype}; the CUDA backend takes F32, BF16 or F16");
    }

    DeviceTensor IBackend.Activations(int rows, int cols) => new CudaTensor(_device.Allocate((long)rows * cols * 4), rows, cols, DType.F32);

    void IBackend.Upload(ReadOnlySpan<float> src, DeviceTensor dst)
    {
        if (src.Length != dst.Rows * dst.Cols) throw new ArgumentException($"upload of {src.Length} floats into a [{dst.Rows}, {dst.Cols}] tensor");
        _device.Upload(src, CudaTensor.Of(dst).Buffer);
    }

    void IBackend.Download(DeviceTensor src, int rows, Span<float> dst) => _device.Download(CudaTensor.Of(src).Buffer, dst[..(rows * src.Cols)]);

    // ---- ops ----

    void IBackend.Embed(DeviceTensor table, ReadOnlySpan<int> ids, DeviceTensor x, bool accumulate)
    {
        var t = CudaTensor.Of(table);
        for (int r = 0; r < ids.Length; r++)
            if ((uint)ids[r] >= (uint)table.Rows)
                throw new ArgumentOutOfRangeException(nameof(ids), $"id {ids[r]} at row {r} is outside the embedding table of {table.Rows} rows");
        if (ids.Length == 0) return;
        string kernel = t.DType switch { DType.F32 => "embed_f32", DType.BF16 => "embed_bf16", _ => "embed_f16" };
        _device.Launch(Kernel("embed.cu", kernel), new(ids.Length), RowThreads, 0,
                       t.Buffer, _ints.Upload(ids), CudaTensor.Of(x).Buffer, table.Cols, accumulate ? 1 : 0);
    }

    void IBackend.LayerNorm(DeviceTensor x, DeviceTensor w, DeviceTensor b, float eps, DeviceTensor y, int rows)
    {
        if (rows == 0) return;
        _device.Launch(Kernel("norm.cu", "layer_norm"), new(rows), RowThreads, 0,
                       CudaTensor.Of(x).Buffer, CudaTensor.Of(w).Buffer, CudaTensor.Of(b).Buffer, CudaTensor.Of(y).Buffer, x.Cols, eps);
    }

    void IBackend.RmsNorm(DeviceTensor x, DeviceTensor w, float eps, DeviceTensor y, int rows)
    {
        if (rows == 0) return;
        _device.Launch(Kernel("norm.cu", "rms_norm"), new(rows), RowThreads, 0,
                       CudaTensor.Of(x).Buffer, CudaTensor.Of(w).Buffer, CudaTensor.Of(y).Buffer, x.Cols, eps);
    }

    void IBackend.MatMul(DeviceTensor x, DeviceTensor w, DeviceTensor? bias, DeviceTensor y, int rows, bool accumulate)
    {
        var weight = CudaTensor.Of(w);
        var layout = weight.Layout ?? throw new ArgumentException("MatMul needs a matrix tensor");
        int inDim = w.Rows, outDim = w.Cols;
        if (x.Cols != inDim || y.Cols != outDim)
            throw new ArgumentException($"MatMul of x [*, {x.Cols}] by W [{inDim} -> {outDim}] into y [*, {y.Cols}]");
        if (rows == 0) return;
        // x in the weight's dtype: as is for fp32, else rounded into scratch [rows, in] (bf16/f16 bits).
        ulong input = CudaTensor.Of(x).Buffer.Address;
        int type = Cublas.R32F;
        if (weight.DType != DType.F32)
        {
            long n = (long)rows * inDim;
            var low = _lowPrecision.Ensure(n * 2);
            string convert = weight.DType == DType.BF16 ? "f32_to_bf16" : "f32_to_f16";
            _device.Launch(Kernel("convert.cu", convert), Spread(n), RowThreads, 0, input, low, n);
            input = low.Address;
            type = weight.DType == DType.BF16 ? Cublas.R16BF : Cublas.R16F;
        }
        var plan = GemmPlan.For(layout, rows, inDim, outDim);
        float one = 1f, beta = accumulate ? 1f : 0f;
        int status = Cublas.cublasGemmEx(_context.Cublas, plan.TransA, plan.TransB, plan.M, plan.N, plan.K, &one,
                                         weight.Buffer.Address, type, plan.Lda, input, type, plan.Ldb, &beta,
                                         CudaTensor.Of(y).Buffer.Address, Cublas.R32F, plan.Ldc, Cublas.Compute32F, Cublas.GemmDefault);
        Cublas.Check(status, $"cublasGemmEx({layout} {weight.DType}, rows {rows}, in {inDim}, out {outDim})");
        if (bias != null)
            _device.Launch(Kernel("add.cu", "add_bias"), Spread((long)rows * outDim), RowThreads, 0,
                           CudaTensor.Of(y).Buffer, CudaTensor.Of(bias).Buffer, rows, outDim);
    }

    void IBackend.Attention(DeviceTensor qkv, BatchLayout batch, AttentionShape shape, DeviceTensor kCache, DeviceTensor vCache, int maxT,
                          DeviceTensor z, HeadEpilogue epilogue)
    {
        var probs = epilogue.Probs;
        epilogue.Validate(batch, shape);
        batch.CheckFits(maxT);
        int rows = batch.Rows;
        if (_rowSlot.Length < rows) _rowSlot = new int[rows];
        for (int r = 0; r < rows; r++) _rowSlot[r] = batch.Slot[batch.RowSequence[r]];
        // Every layer of a forward call passes the same rows: these go up once per call (and per change).
        var rowPos = _rowPos.UploadUnlessSame<int>(batch.RowPosition);
        var rowSlot = _rowSlots.UploadUnlessSame<int>(_rowSlot.AsSpan(0, rows));
        var qkvBuffer = CudaTensor.Of(qkv).Buffer;
        var k = CudaTensor.Of(kCache).Buffer;
        var v = CudaTensor.Of(vCache).Buffer;
        if (shape.Rope is { } rope)
        {
            var ropePositions = batch.RopePositions ?? batch.RowPosition;   // [rows * 3] (t, h, w) or [rows]
            foreach (int pos in ropePositions)
                if (pos >= rope.Positions) throw new ArgumentException($"position {pos} is beyond the RoPE table's {rope.Positions} positions");
            var (cos, sin) = RopeBuffers(rope);
            var positions = batch.RopePositions == null ? rowPos : _ropePos.UploadUnlessSame<int>(batch.RopePositions);
            _device.Launch(Kernel("rope.cu", "rope_rows", shape), new(rows), RowThreads, 0, qkvBuffer, positions, batch.RopePositions == null ? 1 : 3,
                           rope.SectionEnd1, rope.SectionEnd2, cos, sin, rope.RotaryDims / 2);
        }
        _device.Launch(Kernel("attention.cu", "store_kv", shape), new(rows), RowThreads, 0, qkvBuffer, rowPos, rowSlot, k, v, maxT);
        var stats = _stats.Ensure((long)rows * shape.Heads * 2 * 4);   // [rows, Heads, 2] (max, denominator)
        float scale = shape.Scale, softcap = shape.SoftCap ?? 0f;
        int window = shape.Window ?? 0;
        ulong none = 0;   // a null device pointer: that part of the epilogue (or the image blocks) is off
        KernelArg blockFirst = batch.BlockFirst == null ? none : _blockFirst.UploadUnlessSame<int>(batch.BlockFirst);
        KernelArg blockLast = batch.BlockLast == null ? none : _blockLast.UploadUnlessSame<int>(batch.BlockLast);
        var pool = epilogue.Pool;
        var sums = epilogue.PoolSums == null ? null : CudaTensor.Of(epilogue.PoolSums);
        KernelArg rawZ = epilogue.RawZ == null ? none : CudaTensor.Of(epilogue.RawZ).Buffer;
        KernelArg rowSample = pool == null ? none : _poolSample.Upload<int>(pool.RowSample), rowWeight = pool == null ? none : _poolWeight.Upload<float>(pool.RowWeight);
        KernelArg sumsArg = sums == null ? none : sums.Buffer;
        KernelArg alpha = epilogue.Alpha == null ? none : _alpha.Upload<float>(epilogue.Alpha);
        KernelArg scaleRows = epilogue.Alpha == null ? none : _scaleRows.UploadUnlessSame<byte>(epilogue.ScaleRows.AsSpan(0, rows));
        if (rows > batch.Sequences && shape.DHead <= TiledMaxDHead)
        {
            // Prefill: tiles of up to TileQueries consecutive rows of one sequence share each key and value read.
            var (tileRow, tileRows) = Tiles(batch);
            _device.Launch(Kernel("attention.cu", "attention_tiled", shape), new(tileRow.Length, shape.Heads), AttentionWarps * 32, 0,
                           qkvBuffer, _tiles.UploadUnlessSame<int>(tileRow), _tileRows.UploadUnlessSame<int>(tileRows), rowPos, rowSlot, k, v, maxT, window, blockFirst, blockLast,
                           scale, softcap, CudaTensor.Of(z).Buffer, stats, rawZ, rowSample, rowWeight, sumsArg, sums?.Cols ?? 0, epilogue.PoolOffset, alpha, scaleRows);
        }
        else
            _device.Launch(Kernel("attention.cu", "attention", shape), new(rows, shape.Heads), AttentionWarps * 32, 0,
                           qkvBuffer, rowPos, rowSlot, k, v, maxT, window, blockFirst, blockLast, scale, softcap, CudaTensor.Of(z).Buffer, stats,
                           rawZ, rowSample, rowWeight, sumsArg, sums?.Cols ?? 0, epilogue.PoolOffset, alpha, scaleRows);
        if (probs == null) return;
        long count = (long)shape.Heads * rows * rows;   // probs [Heads, rows, rows]
        var p = _probs.Ensure(count * 4);
        CudaDriver.Check(CudaDriver.cuMemsetD8Async(p.Address, 0, (nuint)(count * 4), _device.Stream), "cuMemsetD8Async");
        _device.Launch(Kernel("attention.cu", "attention_probs", shape), new(rows, shape.Heads), RowThreads, 0,
                       qkvBuffer, k, window, blockFirst, blockLast, scale, softcap, stats, rows, p);
        _device.Download(p, probs.AsSpan(0, (int)count));
    }

    /// <summary>Each sequence's rows cut into tiles of at most <see cref="TileQueries"/>: first row and row count per tile.</summary>
    static (int[] Row, int[] Rows) Tiles(BatchLayout batch)
    {
        var row = new List<int>();
        var count = new List<int>();
        for (int i = 0; i < batch.Sequences; i++)
            for (int t = 0; t < batch.Length[i]; t += TileQueries)
            {
                row.Add(batch.RowStart[i] + t);
                count.Add(Math.Min(TileQueries, batch.Length[i] - t));
            }
        return ([.. row], [.. count]);
    }

    /// <summary>The table's cos and sin on the device, uploaded again when the table has grown since.</summary>
    (DeviceBuffer Cos, DeviceBuffer Sin) RopeBuffers(RopeTable rope)
    {
        if (_ropeTables.TryGetValue(rope, out var tables))
        {
            if (tables.Positions == rope.Positions) return (tables.Cos, tables.Sin);
            tables.Cos.Dispose(); tables.Sin.Dispose();
        }
        var cos = _device.Allocate(rope.Cos.Length * 4L);
        var sin = _device.Allocate(rope.Sin.Length * 4L);
        _device.Upload<float>(rope.Cos, cos);
        _device.Upload<float>(rope.Sin, sin);
        _ropeTables[rope] = (cos, sin, rope.Positions);
        return (cos, sin);
    }

    void IBackend.RmsNormHeads(DeviceTensor qkv, AttentionShape shape, DeviceTensor qGain, DeviceTensor kGain, float eps, int rows)
    {
        if (qkv.Cols != shape.QkvDim || qGain.Cols != shape.DHead || kGain.Cols != shape.DHead)
            throw new ArgumentException($"head norm of qkv [*, {qkv.Cols}] with gains [{qGain.Cols}], [{kGain.Cols}] for heads of {shape.DHead} (qkv width {shape.QkvDim})");
        if (rows == 0) return;
        _device.Launch(Kernel("head_norm.cu", "rms_norm_heads", shape), new(rows), RowThreads, 0,
                       CudaTensor.Of(qkv).Buffer, CudaTensor.Of(qGain).Buffer, CudaTensor.Of(kGain).Buffer, eps);
    }

    void IBackend.Activate(DeviceTensor x, Activation act, int rows)
    {
        long n = (long)rows * x.Cols;
        if (n > 0) _device.Launch(Kernel("activation.cu", "activate"), Spread(n), RowThreads, 0, CudaTensor.Of(x).Buffer, n, (int)act);
    }

    void IBackend.ActivateGated(DeviceTensor gateUp, Activation act, DeviceTensor y, int rows)
    {
        if (gateUp.Cols != 2 * y.Cols) throw new ArgumentException($"a gated activation reads [*, 2 d_ff] = [*, {gateUp.Cols}] into [*, {y.Cols}]");
        if (rows == 0) return;
        _device.Launch(Kernel("activation.cu", "activate_gated"), Spread((long)rows * y.Cols), RowThreads, 0,
                       CudaTensor.Of(gateUp).Buffer, CudaTensor.Of(y).Buffer, rows, y.Cols, (int)act);
    }

    void IBackend.Scale(DeviceTensor x, float s, int rows)
    {
        long n = (long)rows * x.Cols;
        if (n > 0) _device.Launch(Kernel("scale.cu", "scale_values"), Spread(n), RowThreads, 0, CudaTensor.Of(x).Buffer, n, s);
    }

    void IBackend.SoftCap(DeviceTensor x, float cap, int rows)
    {
        long n = (long)rows * x.Cols;
        if (n > 0) _device.Launch(Kernel("scale.cu", "soft_cap"), Spread(n), RowThreads, 0, CudaTensor.Of(x).Buffer, n, cap);
    }

    void IBackend.GatherRows(DeviceTensor src, ReadOnlySpan<int> rows, DeviceTensor dst)
    {
        foreach (int r in rows)
            if ((uint)r >= (uint)src.Rows) throw new ArgumentOutOfRangeException(nameof(rows), $"row {r} is outside the source's {src.Rows} rows");
        if (rows.Length == 0) return;
        _device.Launch(Kernel("rows.cu", "gather_rows"), new(rows.Length), RowThreads, 0,
                       CudaTensor.Of(src).Buffer, _ints.Upload(rows), CudaTensor.Of(dst).Buffer, src.Cols);
    }

    void IBackend.Add(DeviceTensor x, DeviceTensor y, int rows)
    {
        long n = (long)rows * x.Cols;
        if (n > 0) _device.Launch(Kernel("add.cu", "add_rows"), Spread(n), RowThreads, 0, CudaTensor.Of(x).Buffer, CudaTensor.Of(y).Buffer, n);
    }

    /// <summary>Frees the device buffers (and the context when this backend opened it).</summary>
    public void Dispose()
    {
        _device.Synchronize();
        foreach (var (cos, sin, _) in _ropeTables.Values) { cos.Dispose(); sin.Dispose(); }
        _ropeTables.Clear();
        foreach (var g in new[] { _ints, _rowPos, _ropePos, _blockFirst, _blockLast, _rowSlots, _tiles, _tileRows, _lowPrecision, _stats, _probs, _poolSample, _poolWeight, _alpha, _scaleRows }) g.Dispose();
        if (_ownsContext) _context.Dispose();
    }
}

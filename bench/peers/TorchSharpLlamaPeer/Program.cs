// LibTorch peer (TorchSharp-cpu, eager, no_grad) for HeadPursuit's forward benchmark on the Llama-GQA shape
// (LlamaGqa.cs; README.md). Times what bench/HeadPursuit.Bench/ForwardBench.cs and the shared TorchSharpPeer time:
// --batch prompts x --T random token ids in one call, one warm-up then the best of --reps, for
//   prefill with every logit; + pooled capture (each head's attention output before o_proj averaged over positions,
//   stacked to [batch, layers, heads, d_head]); capture only (no final norm, no lm_head);
// and batch-1 decode: a --T token prompt, then --new - 1 greedy single-token steps on a preallocated KV cache, timed once.
// Prints one line per thread count in the shared peer's format (ForwardPeers.cs parses it).
using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

PeerOptions options;
try { options = PeerOptions.Parse(args); }
catch (ArgumentException e)
{
    Console.Error.WriteLine($"TorchSharpLlamaPeer: {e.Message}\n{PeerOptions.Usage}");
    return 2;
}
int B = options.Batch, T = options.T;

manual_seed(0);
using var noGrad = no_grad();
var model = new LlamaGqa(options.DType);
var ids = randint(0, LlamaGqa.Vocab, [B, T], dtype: ScalarType.Int64);   // [batch, T]
Console.WriteLine($"# LibTorch via TorchSharp {typeof(torch).Assembly.GetName().Version}, Llama-GQA (L{LlamaGqa.Layers} d{LlamaGqa.D} " +
                  $"H{LlamaGqa.Heads}/KV{LlamaGqa.KvHeads} ff{LlamaGqa.FF} V{LlamaGqa.Vocab}), {options.DType}, scaled_dot_product_attention, batch {B} x {T}");

foreach (int threads in options.Threads)
{
    set_num_threads(threads);
    double plain = Best(check => Prefill(capture: false, logits: true, check));
    double captured = Best(check => Prefill(capture: true, logits: true, check));
    double captureOnly = Best(check => Prefill(capture: true, logits: false, check));
    double decode = Decode(ids[0]);
    int tokens = B * T;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"threads={get_num_threads()} prefill(all logits): {tokens / plain:0} tok/s  + capture: {tokens / captured:0} tok/s  " +
        $"capture only (no logits): {tokens / captureOnly:0} tok/s  decode(batch 1): {decode:0.0} tok/s"));
}
return 0;

// Seconds of one forward of the whole batch (no cache), keeping what a caller keeps: every logit and/or the pooled
// head outputs. The warm-up (check) also makes sure they have the right shape and are finite.
double Prefill(bool capture, bool logits, bool check)
{
    using var scope = NewDisposeScope();
    var pooled = capture ? new List<Tensor>() : null;
    var sw = Stopwatch.StartNew();
    var y = model.Forward(ids, 0, pooled, logits ? 0 : null, null);   // [batch, T, vocab]
    var z = pooled is null ? null : stack(pooled, 1);                   // [batch, layers, heads, d_head]
    double seconds = sw.Elapsed.TotalSeconds;
    if (check)
    {
        if (y is not null) Expect("logits", y, [B, T, LlamaGqa.Vocab]);
        if (z is not null) Expect("pooled capture", z, [B, LlamaGqa.Layers, LlamaGqa.Heads, LlamaGqa.DHead]);
    }
    return seconds;
}

// Greedy batch-1 generation: the prompt in one call, then one token per call; tokens/s over the single-token steps.
double Decode(Tensor prompt)
{
    var cache = model.NewCache(T + options.NewTokens);
    long Step(Tensor tokens, long pos)
    {
        using var scope = NewDisposeScope();
        long t = tokens.shape[0];
        return model.Forward(tokens.view(1, t), pos, null, t - 1, cache)!.flatten().argmax().item<long>();
    }
    long next = Step(prompt, 0);
    var sw = Stopwatch.StartNew();
    for (int i = 1; i < options.NewTokens; i++)
        next = Step(tensor(new[] { next }), T + i - 1);
    double tokensPerSecond = (options.NewTokens - 1) / sw.Elapsed.TotalSeconds;
    foreach (var (k, v) in cache) { k.Dispose(); v.Dispose(); }
    return tokensPerSecond;
}

// One warm-up run (with checks), then the fastest of --reps.
double Best(Func<bool, double> run)
{
    run(true);
    double best = double.MaxValue;
    for (int i = 0; i < options.Reps; i++) best = Math.Min(best, run(false));
    return best;
}

static void Expect(string what, Tensor x, long[] shape)
{
    if (!x.shape.SequenceEqual(shape))
        throw new InvalidOperationException($"{what}: shape [{string.Join(", ", x.shape)}], expected [{string.Join(", ", shape)}]");
    if (!x.isfinite().all().item<bool>()) throw new InvalidOperationException($"{what}: not all finite");
}

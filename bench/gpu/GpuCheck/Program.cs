using System.Diagnostics;
using HeadPursuit.GpuCheck;
using HeadPursuit.Kernels;
using HeadPursuit.Somp;
using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Verification;

// gpucheck FIXTURES_DIR [somp-heads n v d_model d_head iterations]
// On a GPU machine (no .NET needed: published self-contained): every op CPU vs CUDA, every model fixture verified on
// CUDA, stories260K greedy generations CPU vs CUDA with and without an intervention, the on-device SOMP timing and
// parity, and the model throughput benchmark. Prints one line per check; exits 1 if any check fails.
if (args.Length < 1) { Console.Error.WriteLine("usage: gpucheck FIXTURES_DIR [heads n v d_model d_head iterations]"); return 2; }
string fixtures = args[0];
int[] somp = args.Length >= 7 ? [.. args[1..7].Select(int.Parse)] : [1024, 5000, 32000, 4096, 128, 50];
int failures = 0;
CudaBackend cuda;
try { cuda = new CudaBackend(); }
catch (CudaUnavailableException e) { Console.Error.WriteLine($"gpucheck: {e.Message}"); return 3; }
using var _ = cuda;
Console.WriteLine($"date {DateTime.UtcNow:u}  device {cuda.Name}");

Console.WriteLine("== ops: CPU vs CUDA");
foreach (var r in new BackendComparison(cuda).RunAll())
{
    Console.WriteLine(r);
    if (!r.Passed) failures++;
}

Console.WriteLine("== model fixtures on CUDA");
foreach (string model in new[] { "gpt2-tiny", "llama-tiny", "qwen2-tiny", "stories260K", "llava-tiny" })
{
    string folder = Path.Combine(fixtures, model);
    int passed = 0, failed = 0;
    foreach (var r in ModelVerifier.Run(folder, cuda))
    {
        if (r.Passed) passed++;
        else { failed++; Console.WriteLine($"  {model}: {r}"); }
    }
    Console.WriteLine($"{(failed == 0 ? "ok  " : "FAIL")} {model}: {passed} passed, {failed} failed");
    failures += failed;
}

Console.WriteLine("== stories260K greedy generations: CPU vs CUDA, without and with an intervention");
foreach (var c in GenerationComparison.Run(Path.Combine(fixtures, "stories260K"), new CpuBackend(), cuda))
{
    Console.WriteLine(c);
    if (!c.Passed) failures++;
}

Console.WriteLine("== SOMP parity: CUDA vs the CPU fast path (selections identical, EVR within 1e-4)");
{
    int v = 400, dm = 64, dh = 16, n = 50, heads = 8, iterations = 20;
    var rng = new Random(17);
    float R() => (float)(rng.NextDouble() * 2 - 1);
    var atoms = new AtomSet([.. Enumerable.Range(0, v * dm).Select(_ => R())], v, dm);
    var list = Enumerable.Range(0, heads).Select(_ => new SompHead(
        [.. Enumerable.Range(0, n * dh).Select(_ => R())], [.. Enumerable.Range(0, dm * dh).Select(_ => R())], n, dh, dm)).ToList();
    var gpu = new CudaSomp(cuda.Context).RunHeads(list, atoms, iterations, new SompOptions());
    var cpu = SompFast.RunHeads(list, atoms, iterations, new SompOptions());
    for (int h = 0; h < heads; h++)
    {
        bool same = gpu[h].Selected.SequenceEqual(cpu[h].Selected) && gpu[h].Evr.Zip(cpu[h].Evr).All(p => Math.Abs(p.First - p.Second) <= 1e-4);
        Console.WriteLine($"{(same ? "ok  " : "FAIL")} SOMP head {h}: first picks GPU [{string.Join(",", gpu[h].Selected.Take(5))}] CPU [{string.Join(",", cpu[h].Selected.Take(5))}]");
        if (!same) failures++;
    }
}

Console.WriteLine($"== SOMP on the device (kernels already compiled by the parity check): {somp[0]} heads, n = {somp[1]}, vocab = {somp[2]}, d_model = {somp[3]}, d_head = {somp[4]}, N = {somp[5]}");
{
    var (heads, n, v, dm, dh, iterations) = (somp[0], somp[1], somp[2], somp[3], somp[4], somp[5]);
    var rng = new Random(3);
    float R() => (float)(rng.NextDouble() * 2 - 1);
    var rows = new float[(long)v * dm];
    for (long i = 0; i < rows.Length; i++) rows[i] = R();
    var list = new List<SompHead>();
    for (int h = 0; h < heads; h++)
    {
        var z = new float[n * dh];
        var wo = new float[dm * dh];
        for (int i = 0; i < z.Length; i++) z[i] = R();
        for (int i = 0; i < wo.Length; i++) wo[i] = R() * 0.02f;
        list.Add(new SompHead(z, wo, n, dh, dm));
    }
    var sw = Stopwatch.StartNew();
    var results = new CudaSomp(cuda.Context).RunHeads(list, new AtomSet(rows, v, dm), iterations, new SompOptions());
    Console.WriteLine($"ok   SOMP ranking time {sw.Elapsed.TotalSeconds:F2} s ({sw.Elapsed.TotalMilliseconds / heads:F1} ms per head); best score {results.Max(r => r.Score):F4}");
}

Console.WriteLine("== model throughput (random bf16 weights)");
if (cuda.Name.Contains("emulator")) Console.WriteLine("  skipped: tests/CudaEmulator runs on the CPU and says nothing about speed");
else ModelBench.Run(cuda);

Console.WriteLine(failures == 0 ? "all checks passed" : $"{failures} check(s) failed");
return failures == 0 ? 0 : 1;

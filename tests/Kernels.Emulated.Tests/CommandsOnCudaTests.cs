using System.Text.Json;
using HeadPursuit.Cli.Tests;
using HeadPursuit.Tests;

namespace HeadPursuit.Kernels.Emulated.Tests;

/// <summary>The commands that rank heads, with --device cuda (capture with the pooled epilogue, SOMP on the device) against --device cpu.</summary>
public sealed class CommandsOnCudaTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("hp-emulated-rank-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Rank_on_cuda_scores_every_head_as_the_cpu()
    {
        string prompts = Path.Combine(_dir, "prompts.txt");
        string[] colours = ["red", "blue", "green", "yellow", "pink"];
        File.WriteAllLines(prompts, Enumerable.Range(0, 12).Select(i => $"Lily saw a {colours[i % 5]} ball number {i} in the park."));
        var cpu = Rank("cpu", prompts);
        var cuda = Rank("cuda", prompts);
        Assert.Equal(cpu.Count, cuda.Count);
        Assert.Equal(40, cpu.Count);   // stories260K: 5 layers x 8 heads
        foreach (var (head, score) in cpu) Assert.Equal(score, cuda[head], 1e-4);
        Assert.Contains(cpu.Values, s => s > 0.1);   // scores that mean something, not all zeros
    }

    [Fact]
    public void Decompose_on_cuda_selects_the_tokens_the_cpu_selects()
    {
        string prompts = Path.Combine(_dir, "prompts.txt");
        File.WriteAllLines(prompts, Enumerable.Range(0, 10).Select(i => $"Tom and Sue played with {i} red balls in the garden."));
        string acts = Path.Combine(_dir, "acts.safetensors");
        var (exit, _, err) = CliRunner.Run("capture", "--model", Fixtures.Path("stories260K"), "--prompts", prompts, "--out", acts, "--device", "cuda");
        Assert.True(exit == 0, err);
        JsonElement Decompose(string device)
        {
            string outDir = Path.Combine(_dir, "dec-" + device);
            var (code, _, stderr) = CliRunner.Run("decompose", "--model", Fixtures.Path("stories260K"), "--activations", acts, "--heads", "L1H2,L4H0",
                                        "--iterations", "8", "--out", outDir, "--device", device);
            Assert.True(code == 0, stderr);
            Assert.Contains("SOMP on " + device, stderr);
            return JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "decompose.json"))).RootElement.GetProperty("heads").Clone();
        }
        var cpu = Decompose("cpu");
        var cuda = Decompose("cuda");
        Assert.Equal(2, cpu.GetArrayLength());
        for (int k = 0; k < 2; k++)
        {
            Assert.Equal(cpu[k].GetProperty("head").GetString(), cuda[k].GetProperty("head").GetString());
            Assert.Equal(cpu[k].GetProperty("token_ids").EnumerateArray().Select(t => t.GetInt32()),
                         cuda[k].GetProperty("token_ids").EnumerateArray().Select(t => t.GetInt32()));
            var (a, b) = (cpu[k].GetProperty("evr").EnumerateArray().ToArray(), cuda[k].GetProperty("evr").EnumerateArray().ToArray());
            for (int t = 0; t < a.Length; t++) Assert.Equal(a[t].GetDouble(), b[t].GetDouble(), 1e-4);
        }
    }

    Dictionary<string, double> Rank(string device, string prompts)
    {
        string outDir = Path.Combine(_dir, device);
        var (exit, _, err) = CliRunner.Run("rank", "--model", Fixtures.Path("stories260K"), "--prompts", prompts, "--concept", "colours",
                                 "--iterations", "8", "--out", outDir, "--device", device);
        Assert.True(exit == 0, err);
        Assert.Contains(device == "cuda" ? "SOMP on cuda" : "SOMP on cpu", err);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "colours.somp.json")));
        return json.RootElement.GetProperty("ranking").EnumerateArray().ToDictionary(h => h.GetProperty("head").GetString()!, h => h.GetProperty("score").GetDouble());
    }
}

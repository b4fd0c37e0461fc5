using System.Text.Json;
using HeadPursuit.Cli;
using HeadPursuit.Tests;

namespace HeadPursuit.Kernels.Emulated.Tests;

/// <summary>`headpursuit rank --device cuda` (capture with the pooled epilogue, then the on-device SOMP) against --device cpu.</summary>
public sealed class RankCommandTests : IDisposable
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

    Dictionary<string, double> Rank(string device, string prompts)
    {
        string outDir = Path.Combine(_dir, device);
        var (exit, _, err) = Run("rank", "--model", Fixtures.Path("stories260K"), "--prompts", prompts, "--concept", "colours",
                                 "--iterations", "8", "--out", outDir, "--device", device);
        Assert.True(exit == 0, err);
        Assert.Contains(device == "cuda" ? "SOMP on cuda" : "SOMP on cpu", err);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "colours.somp.json")));
        return json.RootElement.GetProperty("ranking").EnumerateArray().ToDictionary(h => h.GetProperty("head").GetString()!, h => h.GetProperty("score").GetDouble());
    }

    static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        var (o, e) = (new StringWriter(), new StringWriter());
        Console.SetOut(o); Console.SetError(e);
        try
        {
            int exit = (int)typeof(ICommand).Assembly.EntryPoint!.Invoke(null, [args])!;
            return (exit, o.ToString(), e.ToString());
        }
        finally { Console.SetOut(oldOut); Console.SetError(oldErr); }
    }
}

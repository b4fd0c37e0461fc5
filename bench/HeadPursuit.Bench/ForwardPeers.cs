using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace HeadPursuit.Bench;

/// <summary>One system's forward figures for one model and thread count (tokens/s; NaN where the system does not measure it).</summary>
sealed record ForwardFigures(double Prefill, double Captured, double CaptureOnly, double Decode);

/// <summary>
/// The peers of the peers folder (<see cref="PeersFolder"/>; README there) run on the forward benchmark's shapes and work: LibTorch 2.10
/// (TorchSharpPeer for the GPT-2 shape; the project's own bench/peers/TorchSharpLlamaPeer, README there, for the
/// Llama-GQA shape), llama.cpp (LlamaCppPeer on a GGUF written by gguf_random.py; GPT-2 and
/// Llama-GQA shapes) and Debian's PyTorch 1.13 (torch_forward.py; GPT-2 shape, prefill only). The peer programs are
/// built once into a temporary folder (neither the project tree nor shared/ is written); each run's figures are
/// parsed from the peer's own output line.
/// </summary>
sealed class ForwardPeers(string peersDir)
{
    public static readonly string[] Names = ["libtorch", "llama", "pytorch"];

    readonly string _work = Path.Combine(Path.GetTempPath(), "headpursuit-peers");
    readonly Dictionary<string, string> _built = [];

    /// <summary>The peer's name in tables, e.g. "LibTorch 2.10 bf16".</summary>
    public static string Label(string peer, string dtype) => peer switch
    {
        "libtorch" => $"LibTorch 2.10 (TorchSharp) {dtype}",
        "llama" => $"llama.cpp (LLamaSharp 0.30) {dtype}",
        _ => "PyTorch 1.13 + OpenBLAS f32",
    };

    /// <summary>Whether the peer runs this model ("gpt2" or "llama").</summary>
    public static bool Supports(string peer, string model) => peer switch
    {
        "libtorch" or "llama" => model is "gpt2" or "llama",
        _ => model == "gpt2",
    };

    /// <summary>Runs the peer once with <paramref name="threads"/> threads; dtype is f32, bf16 or f16.</summary>
    public ForwardFigures Run(string peer, string model, string dtype, int threads, int batch, int T)
    {
        switch (peer)
        {
            case "libtorch":
            {
                string project = model == "llama" ? PeersFolder.Ours("TorchSharpLlamaPeer") : Path.Combine(peersDir, "TorchSharpPeer");
                string output = Exec("dotnet", $"{Build(project)} --threads {threads} --dtype {(dtype == "f32" ? "f32" : "bf16")} --batch {batch} --T {T}");
                var m = Match(output, @"prefill\(all logits\): (\d+) tok/s\s+\+ capture: (\d+) tok/s\s+capture only \(no logits\): (\d+) tok/s\s+decode\(batch 1\): ([\d.]+) tok/s");
                return new(Number(m, 1), Number(m, 2), Number(m, 3), Number(m, 4));
            }
            case "llama":
            {
                string gguf = Path.Combine(_work, "models", $"{model}-{dtype}.gguf");
                if (!File.Exists(gguf))
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(gguf)!);
                    Exec("/usr/bin/python3", $"{Path.Combine(peersDir, "gguf_random.py")} --arch {model} --dtype {dtype} --out {gguf}");
                }
                string output = Exec("dotnet", $"{Build(Path.Combine(peersDir, "LlamaCppPeer"))} --model {gguf} --threads {threads} --batch {batch} --T {T}");
                var m = Match(output, @"prefill\(one batch, \d+ seqs, all logits\): (\d+) tok/s.*decode\(batch 1\): ([\d.]+) tok/s");
                return new(Number(m, 1), double.NaN, double.NaN, Number(m, 2));
            }
            case "pytorch":
            {
                string output = Exec("/usr/bin/python3", $"{Path.Combine(peersDir, "torch_forward.py")} --batch {batch} --T {T} --threads {threads}");
                var plain = Match(output, @"no capture: ([\d,]+) prefill tok/s");
                var captured = Match(output, @"(?<!no )capture: ([\d,]+) prefill tok/s");
                return new(Number(plain, 1), Number(captured, 1), double.NaN, double.NaN);
            }
            default:
                throw new ArgumentException($"unknown peer '{peer}' (known: {string.Join(", ", Names)})");
        }
    }

    /// <summary>
    /// Builds the peer project in <paramref name="folder"/> once (Release, artifacts under the temporary folder; our own
    /// peers are told where the peers folder is); returns its dll.
    /// </summary>
    string Build(string folder)
    {
        string project = Path.GetFileName(folder);
        if (_built.TryGetValue(project, out var dll)) return dll;
        string artifacts = Path.Combine(_work, "build", project);
        Exec("dotnet", $"build -c Release {folder} --artifacts-path {artifacts} -p:HeadPursuitPeers={peersDir} -v q -nologo");
        dll = Path.Combine(artifacts, "bin", project, "release", project + ".dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"building {project} did not produce {dll}");
        return _built[project] = dll;
    }

    static string Exec(string file, string arguments)
    {
        var psi = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        var stderr = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {arguments} exited with {p.ExitCode}:\n{output}\n{stderr.Result}");
        return output;
    }

    static Match Match(string output, string pattern)
    {
        var m = Regex.Match(output, pattern);
        if (!m.Success) throw new FormatException($"peer output has no line matching /{pattern}/:\n{output}");
        return m;
    }

    static double Number(Match m, int group) => double.Parse(m.Groups[group].Value.Replace(",", ""), CultureInfo.InvariantCulture);
}

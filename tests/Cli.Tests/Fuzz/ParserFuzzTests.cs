using System.Text;
using FsCheck;
using FsCheck.Fluent;
using HeadPursuit.Cli;
using HeadPursuit.Eval.Data;
using HeadPursuit.Eval.Experiments;
using HeadPursuit.Runtime;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Hub;
using HeadPursuit.Runtime.Imaging;
using HeadPursuit.Runtime.Input;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.SafeTensors;
using HeadPursuit.Runtime.Tensors;
using HeadPursuit.Runtime.Tests.Imaging;
using HeadPursuit.Runtime.Tokenizers;
using HeadPursuit.Runtime.Vision;
using HeadPursuit.Runtime.Vision.Gemma3;
using HeadPursuit.Runtime.Vision.LlavaNext;
using HeadPursuit.Runtime.Vision.Qwen25Vl;
using HeadPursuit.Somp;
using HeadPursuit.Tests;
using static HeadPursuit.Cli.Tests.Fuzz.MutationKind;

namespace HeadPursuit.Cli.Tests.Fuzz;

/// <summary>
/// Property tests over every parser of a file a user hands the CLI: a seed file (a fixture or a file the code writes)
/// damaged at random (byte flips, truncation, invalid UTF-8, JSON type swaps and removed fields, NaN and infinities in
/// tensors) must be read or refused with what the CLI reports as bad input (one "error:" line, exit 1): never another
/// exception. FsCheck prints the failing mutation, which replays on the same seed. A fixed seed keeps CI repeatable;
/// bench/fuzz/campaign.py runs the longer campaign through the built CLI.
/// </summary>
public sealed class ParserFuzzTests : IDisposable
{
    const int Tests = 100;
    static readonly MutationKind[] JsonMutations = [FlipBytes, Truncate, InvalidUtf8, JsonTypeSwap, JsonTypeSwap, JsonTypeSwap, JsonRemoveField];
    static readonly MutationKind[] TextMutations = [FlipBytes, Truncate, InvalidUtf8, InvalidUtf8];
    static readonly MutationKind[] BinaryMutations = [FlipBytes, FlipBytes, Truncate];

    readonly string _dir = Directory.CreateTempSubdirectory("hp-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Every mutation of <paramref name="seed"/> is parsed or refused as bad input.</summary>
    void Fuzz(byte[] seed, string fileName, Arbitrary<Mutation> mutations, Action<string> parse, int tests = Tests)
    {
        string path = Path.Combine(_dir, fileName);
        parse(Write(path, seed));   // the seed itself is read
        var property = Prop.ForAll(mutations, m =>
        {
            try { parse(Write(path, m.Apply(seed))); }
            catch (Exception e) when (Failures.IsBadInput(e)) { }
        });
        Check.One(Repeatable(tests), property);
    }

    /// <summary>A fixed seed: the same cases on every run.</summary>
    static Config Repeatable(int tests) => Config.QuickThrowOnFailure.WithMaxTest(tests).WithReplay(16UL, 2511UL);

    static string Write(string path, byte[] bytes)
    {
        File.WriteAllBytes(path, bytes);
        return path;
    }

    static byte[] Fixture(params string[] parts) => File.ReadAllBytes(Fixtures.Path(parts));

    [Theory]
    [InlineData("tinyworld-gpt2")]
    [InlineData("llama-tiny")]
    [InlineData("qwen3-tiny")]
    [InlineData("gemma2-tiny")]
    [InlineData("pythia-tiny")]
    public void ConfigJson(string fixture) =>
        Fuzz(Fixture(fixture, "config.json"), "config.json", Mutation.Of(0, JsonMutations), p => ModelConfig.Load(p));

    /// <summary>Each vision-language fixture's config.json and preprocessor_config.json readers.</summary>
    static readonly Dictionary<string, (Action<string> Config, Action<string> Processor)> VisionReaders = new()
    {
        ["llava-tiny"] = (p => LlavaConfig.Load(p), p => ClipImageProcessor.Load(p)),
        ["llava-next-tiny"] = (p => LlavaNextConfig.Load(p), p => LlavaNextImageProcessor.Load(p)),
        ["gemma3-vlm-tiny"] = (p => Gemma3Config.Load(p), p => Gemma3ImageProcessor.Load(p)),
        ["qwen25-vl-tiny"] = (p => Qwen25VlConfig.Load(p), p => Qwen2VlImageProcessor.Load(p)),
    };

    [Theory]
    [InlineData("llava-tiny")]
    [InlineData("llava-next-tiny")]
    [InlineData("gemma3-vlm-tiny")]
    [InlineData("qwen25-vl-tiny")]
    public void VisionConfigAndPreprocessorConfigJson(string fixture)
    {
        var (config, processor) = VisionReaders[fixture];
        Fuzz(Fixture(fixture, "config.json"), "config.json", Mutation.Of(0, JsonMutations), config);
        Fuzz(Fixture(fixture, "preprocessor_config.json"), "preprocessor_config.json", Mutation.Of(0, JsonMutations), processor);
    }

    [Fact]
    public void TokenizerJson() =>
        Fuzz(Fixture("stories260K", "tokenizer.json"), "tokenizer.json", Mutation.Of(0, JsonMutations),
             p => Tokenizer.FromFile(p).Encode("Once upon a time, a little girl saw a red ball. \u00E9\uFFFE"), tests: 100);

    [Fact]
    public void TokenizerConfigJson()
    {
        Fuzz(Fixture("stories260K", "tokenizer_config.json"), "tokenizer_config.json", Mutation.Of(0, JsonMutations), p => TokenizerConfig.Read(p));
        Fuzz(Fixture("tinyworld-gpt2", "tokenizer_config.json"), "tokenizer_config.json", Mutation.Of(0, JsonMutations), p => TokenizerConfig.Read(p));
    }

    [Fact]
    public void ShardIndexJson() =>
        Fuzz(Fixture("llava-tiny", "new-layout", ShardIndex.FileName), ShardIndex.FileName, Mutation.Of(0, JsonMutations), p => ShardIndex.ReadWeightMap(p));

    /// <summary>A small safetensors file as the writer makes it: F32, F16 and I64 tensors and string metadata.</summary>
    static byte[] SmallSafeTensors() => new SafeTensorsWriter()
        .AddMetadata("format", "pt").AddMetadata("note", "fuzz seed")
        .Add("a", [2, 3], [1f, 2, 3, 4, 5, 6])
        .Add("b", [4], [1L, 2, 3, 4])
        .Add("c", DType.F16, [2], [0, 60, 0, 64])
        .ToBytes();

    [Fact]
    public void SafeTensorsHeaderAndMetadata()
    {
        byte[] seed = SmallSafeTensors();
        int headerEnd = 8 + (int)BitConverter.ToInt64(seed, 0);
        void Read(string p)
        {
            using var f = SafeTensorsFile.Open(p);
            foreach (var name in f.Names) _ = f.Get(name).ShapeText;
            _ = f.Metadata.Count;
        }
        Fuzz(seed, "model.safetensors", Mutation.Of(headerEnd, FlipBytes, FlipBytes, Truncate, InvalidUtf8), Read, tests: 100);
        // the header's JSON with its types swapped: the length prefix is rewritten to match
        byte[] header = seed[8..headerEnd];
        Fuzz(header, "header.json", Mutation.Of(0, JsonTypeSwap, JsonRemoveField, InvalidUtf8), p =>
        {
            byte[] h = File.ReadAllBytes(p);
            Read(Write(Path.Combine(_dir, "swapped.safetensors"), [.. BitConverter.GetBytes((long)h.Length), .. h, .. seed[headerEnd..]]));
        }, tests: 100);
    }

    [Fact]
    public void ActivationsWithNanAndInfinities()
    {
        string seedPath = Path.Combine(_dir, "seed.safetensors");
        var z = Enumerable.Range(0, 2 * 2 * 3 * 4).Select(i => (float)Math.Sin(i)).ToArray();   // [L 2, H 2, n 3, d_head 4]
        new HeadActivations(2, 2, 3, 4, z) { Model = "m", Positions = "all" }.Save(seedPath);
        byte[] seed = File.ReadAllBytes(seedPath);
        Fuzz(seed, "acts.safetensors", Mutation.Of(8 + (int)BitConverter.ToInt64(seed, 0), NanInf, NanInf, FlipBytes, Truncate), p => HeadActivations.Load(p));
        // every NaN or infinity is refused, naming the head and sample
        Prop.ForAll(Mutation.Of(0, NanInf), m =>
        {
            var e = Assert.Throws<ModelFormatException>(() => HeadActivations.Load(Write(Path.Combine(_dir, "nan.safetensors"), m.Apply(seed))));
            Assert.Matches(@"holds (NaN|∞|-∞|Infinity|-Infinity) at head L\dH\d, sample \d", e.Message);
        }).Check(Repeatable(30));
    }

    static HeadRanking SampleRanking() =>
        new("colours", HeadRanking.SompMethod, new SompOptions(Center: true, Normalize: true), 2, 2, 2, 5, [5, 9, 12],
            [new HeadScore(new HeadId(0, 1), 0.75, [0.5, 0.75], [12, 9]), new HeadScore(new HeadId(1, 0), 0.5, [0.25, 0.5], [5, 9])]);

    [Fact]
    public void RankingJson() =>
        Fuzz(Encoding.UTF8.GetBytes(SampleRanking().ToJson()), "colours.somp.json", Mutation.Of(0, JsonMutations), p => HeadRankingJson.Read(p), tests: 100);

    [Fact]
    public void DecomposeJson()
    {
        var report = new DecompositionReport
        {
            Model = "m", Activations = "acts.safetensors", Samples = 3, Iterations = 2, Center = true, Normalize = true, FoldFinalNorm = false,
            Top = 2, HeadOutput = null, Selection = "all", Shard = "0/1",
            Heads = [new DecomposedHead("L0H0", [1, 2], ["a", "b"], [0.5, 0.75], [3], ["c"])],
        };
        report.Write(_dir);
        Fuzz(File.ReadAllBytes(Path.Combine(_dir, DecompositionReport.JsonFile)), "part.json", Mutation.Of(0, JsonMutations), p =>
        {
            var read = DecompositionReport.Read(p);
            DecompositionReport.Join([(p, read)]).ToMarkdown();
        });
    }

    [Fact]
    public void ExperimentFileJson()
    {
        string text = File.ReadAllText(HeadPursuit.Eval.Tests.RepoFiles.Path("experiments", "tinyworld-colours.json"));
        // the experiment's relative paths start from experiments/: keep the file there in spirit by making them absolute
        text = text.Replace("\"../", "\"" + HeadPursuit.Eval.Tests.RepoFiles.Path() + "/");
        Fuzz(Encoding.UTF8.GetBytes(text), "exp.json", Mutation.Of(0, JsonMutations), p => ExperimentFile.Load(p), tests: 100);
    }

    [Fact]
    public void PromptFiles()
    {
        byte[] txt = Encoding.UTF8.GetBytes(string.Join("\n", File.ReadLines(Fixtures.Path("tinyworld-gpt2", "eval", "story_prompts.txt")).Take(20)));
        byte[] jsonl = Encoding.UTF8.GetBytes(string.Join("\n", File.ReadLines(Fixtures.Path("tinyworld-gpt2", "eval", "capture_prompts.jsonl")).Take(20)));
        Fuzz(txt, "prompts.txt", Mutation.Of(0, TextMutations), p => PromptLines.Read(p));
        Fuzz(jsonl, "prompts.jsonl", Mutation.Of(0, TextMutations), p => PromptLines.Read(p));
        Fuzz(jsonl, "prompts.jsonl", Mutation.Of(0, TextMutations), p => PromptLines.Read(p, EncodingErrors.Replace));
    }

    [Fact]
    public void ConceptFiles() =>
        Fuzz(Encoding.UTF8.GetBytes("# colours\nred\nblue\ngreen\n\nyellow\n"), "colours.txt", Mutation.Of(0, TextMutations),
             p => ConceptDictionary.Load(p, w => [w.Length % 7]));

    [Fact]
    public void PngFiles()
    {
        foreach (var png in Directory.GetFiles(Fixtures.Path("llava-tiny", "images"), "*.png"))
            Fuzz(File.ReadAllBytes(png), "image.png", Mutation.Of(0, BinaryMutations), p => ImageFile.Load(p), tests: 30);
    }

    [Fact]
    public void JpegFiles()
    {
        foreach (var jpeg in new[] { "baseline420.jpg", "large128x96-progressive.jpg", "odd33x17-progressive-restart.jpg", "grey.jpg" })
            Fuzz(JpegTestFiles.Bytes(jpeg), "image.jpg", Mutation.Of(0, BinaryMutations), p => ImageFile.Load(p), tests: 40);
    }
}

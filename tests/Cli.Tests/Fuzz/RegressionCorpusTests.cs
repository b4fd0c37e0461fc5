using HeadPursuit.Cli.Tests;
using HeadPursuit.Tests;

namespace HeadPursuit.Cli.Tests.Fuzz;

/// <summary>
/// Each file of tests/fuzz-corpus reproduces a crash signature of issue #16 (a JSON field of the wrong type, invalid
/// UTF-8 in a JSON string or a text input, a fractional or out-of-range integer, NaN or infinity in activations, a
/// negative or infinite norm epsilon, a damaged safetensors header or __metadata__). Each goes through the CLI in
/// the place a user would put it and must end in one "error:" line that names the file (and field or line), exit 1:
/// never a stack trace or exit 70. tests/fuzz-corpus/README.md lists the signature each file reproduces.
/// </summary>
[Collection("console")]
public sealed class RegressionCorpusTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("hp-corpus-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static string Corpus(string name) => HeadPursuit.Eval.Tests.RepoFiles.Path("tests", "fuzz-corpus", name);

    /// <summary>A copy of a fixture folder with <paramref name="file"/> replaced by a corpus file.</summary>
    string ModelWith(string fixture, string file, string corpusFile)
    {
        string dir = Path.Combine(_dir, "model");
        Directory.CreateDirectory(dir);
        foreach (var f in Directory.GetFiles(Fixtures.Path(fixture)))
            File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
        File.Copy(Corpus(corpusFile), Path.Combine(dir, file), overwrite: true);
        return dir;
    }

    static void AssertOneErrorLine(string[] args, string culprit, string expected)
    {
        var (exit, _, err) = CliRunner.Run([.. args, "-q"]);
        string[] lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(exit == 1, $"exit {exit}: {err}");
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.DoesNotContain("bug in headpursuit", lines[0]);
        Assert.Contains(culprit, lines[0]);
        Assert.Contains(expected, lines[0]);
    }

    static readonly string[] Cpu = ["--device", "cpu", "--threads", "1"];

    [Theory]
    [InlineData("ranking-entry-not-object.somp.json", "ranking[1] = \"\" should be an object")]
    [InlineData("ranking-score-bool.somp.json", "ranking[0].score = true should be a number")]
    [InlineData("ranking-layers-fraction.somp.json", "layers = 2.5 should be an integer >= 1")]
    [InlineData("ranking-token-id-overflow.somp.json", "token_ids[0] = 1180591620717411303424 should be an integer >= 0")]
    [InlineData("ranking-invalid-utf8.somp.json", "ranking-invalid-utf8.somp.json:2: not valid UTF-8 (byte 0xFF at byte 18 of the line)")]
    public void RankingFiles(string file, string expected) =>
        AssertOneErrorLine(["steer", "--ranking", Corpus(file), "--top", "2", "--prompt", "Mia saw a", "--max-new-tokens", "1", .. Cpu], file, expected);

    [Theory]
    [InlineData("activations-metadata-list.safetensors", "header field \"__metadata__\" = [\"a\",1] should be an object")]
    [InlineData("activations-metadata-value-object.safetensors", "header field \"__metadata__.model\" = {\"x\":1} should be a string")]
    [InlineData("activations-metadata-invalid-utf8.safetensors", "header:1: not valid UTF-8 (byte 0xFF")]
    [InlineData("activations-offsets-strings.safetensors", "tensor 'z': data_offsets must be [begin, end]")]
    [InlineData("activations-shape-fraction.safetensors", "tensor 'z': shape [6, 8, 1.5, 16] is not a list of non-negative integers")]
    [InlineData("activations-nan.safetensors", "tensor 'z' holds NaN at head L1H2, sample 1")]
    [InlineData("activations-infinity.safetensors", "at head L1H2, sample 1 (activations must be finite numbers)")]
    public void ActivationsFiles(string file, string expected) =>
        AssertOneErrorLine(["rank", "--activations", Corpus(file), "--concept", "colours", "--out", Path.Combine(Path.GetTempPath(), "never-written"), .. Cpu], file, expected);

    [Theory]
    [InlineData("preprocessor-resample-bool.json", "field \"resample\" = true should be an integer")]
    [InlineData("preprocessor-size-overflow.json", "field \"size.shortest_edge\" = 1180591620717411303424 should be an integer in [1, 16384]")]
    [InlineData("preprocessor-crop-without-height.json", "missing required field \"crop_size.height\"")]
    [InlineData("preprocessor-rescale-infinite.json", "field \"rescale_factor\" = 1e999 should be a finite number")]
    [InlineData("preprocessor-invalid-utf8.json", "not valid UTF-8 (byte 0xC3")]
    public void PreprocessorConfigs(string file, string expected) =>
        AssertOneErrorLine(["generate", "--model", ModelWith("llava-tiny", "preprocessor_config.json", file),
                            "--image", Fixtures.Path("llava-tiny", "images", "img2_32x32_rgb.png"), "--ids", "1,1023,5", "--max-new-tokens", "1", .. Cpu],
                           "preprocessor_config.json", expected);

    [Theory]
    [InlineData("tokenizer-invalid-utf8.json", "tokenizer.json", "not valid UTF-8 (byte 0xFF")]
    [InlineData("tokenizer-vocab-id-string.json", "tokenizer.json", "= \"seven\" should be an integer >= 0")]
    [InlineData("tokenizer-added-token-id-fraction.json", "tokenizer.json", "added_tokens id = 1.5 should be an integer >= 0")]
    [InlineData("tokenizer-merges-object.json", "tokenizer.json", "model: merges = {\"a\":\"b\"} should be a list")]
    [InlineData("tokenizer_config-invalid-utf8.json", "tokenizer_config.json", "not valid UTF-8 (byte 0xED")]
    [InlineData("tokenizer_config-add-bos-number.json", "tokenizer_config.json", "field 'add_bos_token' = 1 should be true or false")]
    [InlineData("config-negative-eps.json", "config.json", "field \"rms_norm_eps\" = -1e-05 should be a number >= 0")]
    [InlineData("config-eps-infinite.json", "config.json", "field \"rms_norm_eps\" = 1e999 should be a finite number")]
    [InlineData("config-layers-fraction.json", "config.json", "field \"num_hidden_layers\" = 2.5 should be an integer")]
    [InlineData("config-hidden-overflow.json", "config.json", "field \"hidden_size\" = 1180591620717411303424 should be an integer")]
    [InlineData("config-invalid-utf8.json", "config.json", "not valid UTF-8 (byte 0xFF")]
    public void ModelFolderFiles(string file, string replaces, string expected) =>
        AssertOneErrorLine(["generate", "--model", ModelWith("stories260K", replaces, file), "--prompt", "Once upon", "--max-new-tokens", "1", .. Cpu],
                           replaces, expected);

    [Theory]
    [InlineData("shard-index-file-number.json", "weight_map['lm_head.weight'] = 1e+300 should be a string")]
    [InlineData("shard-index-map-list.json", "weight_map = [\"model-00001-of-00002.safetensors\"] should be an object")]
    [InlineData("shard-index-invalid-utf8.json", "not valid UTF-8 (byte 0xC0")]
    public void ShardIndexes(string file, string expected) =>
        AssertOneErrorLine(["generate", "--model", ModelWith(Path.Combine("llava-tiny", "new-layout"), "model.safetensors.index.json", file),
                            "--ids", "1,5", "--max-new-tokens", "1", .. Cpu], "model.safetensors.index.json", expected);

    [Theory]
    [InlineData("prompts-invalid-utf8.txt", "prompts-invalid-utf8.txt:2: not valid UTF-8 (byte 0xFF at byte 11 of the line) (--encoding-errors replace")]
    [InlineData("prompts-invalid-utf8.jsonl", "prompts-invalid-utf8.jsonl:2: not valid UTF-8 (byte 0xC3")]
    [InlineData("prompts-jsonl-prompt-number.jsonl", "prompts-jsonl-prompt-number.jsonl:2: no \"prompt\" or \"text\" string field")]
    public void PromptFiles(string file, string expected) =>
        AssertOneErrorLine(["capture", "--prompts", Corpus(file), "--out", Path.Combine(_dir, "acts.safetensors"), .. Cpu], file, expected);

    [Fact]
    public void InvalidUtf8InAPromptFileIsReadWithReplacementCharactersWhenAskedTo()
    {
        var (exit, _, err) = CliRunner.Run(["capture", "--prompts", Corpus("prompts-invalid-utf8.txt"), "--encoding-errors", "replace",
                                            "--out", Path.Combine(_dir, "acts.safetensors"), "-q", .. Cpu]);
        Assert.True(exit == 0, err);
        Assert.Equal(2, HeadPursuit.Runtime.Capture.HeadActivations.Load(Path.Combine(_dir, "acts.safetensors")).Samples);
    }

    [Fact]
    public void InvalidUtf8InAConceptFileNamesTheLine() =>
        AssertOneErrorLine(["rank", "--activations", Corpus("activations-ok.safetensors"), "--concept", Corpus("concept-invalid-utf8.txt"),
                            "--out", _dir, .. Cpu], "concept-invalid-utf8.txt:3", "not valid UTF-8 (byte 0xE2 at byte 3 of the line)");

    [Fact]
    public void APromptLineOfTwentyMegabytesIsRefusedAsTooLongNamingIt()
    {
        string file = Path.Combine(_dir, "long.txt");
        File.WriteAllText(file, "A short prompt.\nThe " + string.Concat(Enumerable.Repeat("blue ", 4_000_000)) + "\n");
        AssertOneErrorLine(["generate", "--prompt-file", file, "--max-new-tokens", "1", .. Cpu], "prompt 2 of " + file, "tokens long, longer than the model's 128 positions");
    }

    [Fact]
    public void DecomposeWithBogusHeadsIsRefusedNamingTheOption() =>
        AssertOneErrorLine(["decompose", "--heads", "bogus", "--activations", Corpus("activations-ok.safetensors"), "--out", _dir], "--heads", "'bogus' is not a head name like L3H7");
}

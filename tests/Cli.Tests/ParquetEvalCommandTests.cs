using System.Text.Json.Nodes;
using HeadPursuit.Tests;
using static HeadPursuit.Eval.Tests.ParquetTestFiles;

namespace HeadPursuit.Cli.Tests;

/// <summary>
/// `headpursuit eval` on datasets stored as Parquet (written here with Parquet.Net in the hub's layouts): a TriviaQA-style
/// question set on stories260K (ranked on the train split's questions, evaluated on the validation split) and an image
/// classification set with embedded PNG and JPEG bytes and ClassLabel names on llava-tiny. Each runs the whole grid,
/// then resumes after an interruption (the results file cut short) to the same report.
/// </summary>
[Collection("console")]
public sealed class ParquetEvalCommandTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("hp-parquet-eval-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static (int Exit, string Out, string Err) Hp(params string[] args) => CliRunner.Run([.. args, "--device", "cpu"]);

    string Experiment(JsonObject o)
    {
        o["report"] = Path.Combine(_dir, "report");
        string path = Path.Combine(_dir, "experiment.json");
        File.WriteAllText(path, o.ToJsonString());
        return path;
    }

    void RunsAndResumes(string file, int cells, int kept, string metric) =>
        EvalResume.RunsAndResumes(file, Path.Combine(_dir, "report"), cells, kept, metric);

    [Fact]
    public void AParquetQuestionSetRunsThroughEvalAndResumes()
    {
        string data = Path.Combine(_dir, "trivia_qa", "rc.nocontext");
        Write(Path.Combine(data, "validation-00000-of-00001.parquet"), Trivia(0, 6), rowGroupSize: 4);
        Write(Path.Combine(data, "train-00000-of-00001.parquet"), Trivia(20, 8));
        var o = new JsonObject
        {
            ["name"] = "parquet-qa",
            ["model"] = Fixtures.Path("stories260K"),
            ["dataset"] = new JsonObject { ["format"] = "triviaqa", ["parquet"] = Path.Combine(_dir, "trivia_qa"), ["split"] = "validation" },
            ["concept"] = "colours",
            ["ranking"] = new JsonObject { ["capture_prompts"] = new JsonObject { ["format"] = "triviaqa", ["parquet"] = Path.Combine(_dir, "trivia_qa"), ["split"] = "train" } },
            ["k"] = new JsonArray(1, 2),
            ["alphas"] = new JsonArray(-1),
            ["selections"] = new JsonArray("somp", "random"),
            ["random_draws"] = 2,
            ["decoding"] = new JsonObject { ["max_new_tokens"] = 4 },
            ["metrics"] = new JsonArray("qa_f1", "qa_exact_match"),
            ["batch"] = 3,
        };
        string file = Experiment(o);
        RunsAndResumes(file, cells: 1 + 2 + 2 * 2, kept: 3, "qa_f1");
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(_dir, "report.json")))!.AsObject();
        Assert.Equal(6, report["cells"]![0]!["generations"]!.AsArray().Count);
        Assert.Contains("- dataset: `trivia_qa` (TriviaQa, 6 prompts", File.ReadAllText(Path.Combine(_dir, "report.md")));
        Assert.Contains("- ranking captured on: `trivia_qa`", File.ReadAllText(Path.Combine(_dir, "report.md")));
    }

    [Fact]
    public void AParquetImageClassificationSetWithPngAndJpegRunsThroughEvalAndResumes()
    {
        string file = Write(Path.Combine(_dir, "mnist", "test-00000-of-00001.parquet"), Labelled(6), rowGroupSize: 4, features: ClassLabelFeatures("17", "42"));
        var o = new JsonObject
        {
            ["name"] = "parquet-images",
            ["model"] = Fixtures.Path("llava-tiny"),
            ["dataset"] = new JsonObject { ["format"] = "image_classification", ["parquet"] = file },
            ["prompt_ids"] = new JsonArray(1, 1023, 5, 6, 7),
            ["concept"] = "tiny",
            ["concept_ids"] = new JsonArray(17, 42, 99),
            ["k"] = new JsonArray(1, 2),
            ["alphas"] = new JsonArray(-1),
            ["policy"] = "image",
            ["selections"] = new JsonArray("somp", "random"),
            ["random_draws"] = 2,
            ["decoding"] = new JsonObject { ["max_new_tokens"] = 4 },
            ["metrics"] = new JsonArray("accuracy"),
            ["batch"] = 4,
        };
        RunsAndResumes(Experiment(o), cells: 1 + 2 + 2 * 2, kept: 2, "accuracy");
        var md = File.ReadAllText(Path.Combine(_dir, "report.md"));
        Assert.Contains("classes: 17, 42", md);
        Assert.Contains("ranking captured on 6 images", md);
    }

    [Fact]
    public void AnImageColumnThatIsNotAnImageFailsBeforeTheModelLoads()
    {
        string file = Write(Path.Combine(_dir, "bad.parquet"), [new NamedImage { Image = "a.png", Label = 0 }], features: ClassLabelFeatures("17"));
        var o = new JsonObject
        {
            ["model"] = Fixtures.Path("llava-tiny"),
            ["dataset"] = new JsonObject { ["format"] = "image_classification", ["parquet"] = file },
            ["prompt_ids"] = new JsonArray(1, 1023, 5),
            ["concept_ids"] = new JsonArray(17),
            ["k"] = new JsonArray(1), ["alphas"] = new JsonArray(-1), ["selections"] = new JsonArray("somp"), ["metrics"] = new JsonArray("accuracy"),
        };
        var (exit, _, err) = Hp("eval", Experiment(o));
        Assert.Equal(1, exit);
        Assert.StartsWith("error: ", err);
        Assert.Contains($"\"dataset.parquet\": {file}: row 0, column \"image\" is text, not an image", err);
    }
}

using System.Text.Json.Nodes;
using HeadPursuit.Eval.Experiments;
using HeadPursuit.Runtime.Imaging;
using HeadPursuit.Runtime.Tests.Imaging;
using static HeadPursuit.Eval.Tests.ParquetTestFiles;

namespace HeadPursuit.Eval.Tests;

/// <summary>
/// Experiment datasets from Parquet (written here with Parquet.Net in the hub's layouts): what each task reads, the
/// column defaults and mappings, and the bad inputs, each refused with the file, row and column named.
/// </summary>
public class ParquetExperimentFileTests
{
    static ExperimentSpec Parse(JsonObject o, string folder) => ExperimentFile.Parse(o.ToJsonString(), "pq.json", folder);

    static string Refused(JsonObject o, string folder) => Assert.Throws<ArgumentException>(() => Parse(o, folder)).Message;

    /// <summary>The small text experiment with its dataset replaced.</summary>
    static JsonObject Text(JsonObject dataset)
    {
        var o = ExperimentJson.Small();
        o["dataset"] = dataset;
        return o;
    }

    /// <summary>The hub's repository layout: data/SPLIT-0000i-of-0000n.parquet, two validation shards and a train shard.</summary>
    static string TriviaFolder(string root)
    {
        string data = Path.Combine(root, "trivia", "rc.nocontext");
        Write(Path.Combine(data, "validation-00001-of-00002.parquet"), Trivia(3, 2));
        Write(Path.Combine(data, "validation-00000-of-00002.parquet"), Trivia(0, 3));
        Write(Path.Combine(data, "train-00000-of-00001.parquet"), Trivia(100, 4));
        return Path.Combine(root, "trivia");
    }

    [Fact]
    public void TriviaQaFromAFolderReadsTheSplitsShardsInOrderWithEveryAlias()
    {
        using var t = new TempFolder();
        var spec = Parse(Text(new JsonObject { ["format"] = "triviaqa", ["parquet"] = TriviaFolder(t.Path), ["split"] = "validation" }), t.Path);
        Assert.Equal([.. Enumerable.Range(0, 5).Select(i => $"Q: Where is the city number {i}?\nA:")], spec.Samples);
        Assert.Equal(["A0", "a0", "a 0"], spec.Golds![0]);   // value, aliases, normalized aliases, duplicates dropped
        Assert.Equal(["A1", "a1"], spec.Golds[1]);           // an empty alias list (left out by the file) is no alias
        Assert.Equal(Path.Combine(t.Path, "trivia"), spec.DatasetSource);

        var limited = Parse(Text(new JsonObject { ["format"] = "triviaqa", ["parquet"] = TriviaFolder(t.Path), ["split"] = "train", ["limit"] = 3 }), t.Path);
        Assert.Equal(["Q: Where is the city number 100?\nA:", "Q: Where is the city number 101?\nA:", "Q: Where is the city number 102?\nA:"], limited.Samples);
    }

    [Fact]
    public void TheHubsParquetConversionLayoutAndColumnMappingsWork()
    {
        using var t = new TempFolder();
        // refs/convert/parquet: CONFIG/SPLIT/0000.parquet
        Write(Path.Combine(t.Path, "conv", "rc.nocontext", "validation", "0000.parquet"), Trivia(7, 2));
        Write(Path.Combine(t.Path, "conv", "rc.nocontext", "test", "0000.parquet"), Trivia(50, 2));
        var spec = Parse(Text(new JsonObject
        {
            ["format"] = "questions", ["parquet"] = Path.Combine(t.Path, "conv"), ["split"] = "validation",
            ["columns"] = new JsonObject { ["prompt"] = "question", ["answers"] = new JsonArray("answer.normalized_aliases", "question_id") },
        }), t.Path);
        Assert.Equal(["Where is the city number 7?", "Where is the city number 8?"], spec.Samples);   // questions: fed as they are
        Assert.Equal([["q7"], ["a 8", "q8"]], spec.Golds);
    }

    [Fact]
    public void RealToxicityPromptsTakePromptTextAndHalvesKeepPairs()
    {
        using var t = new TempFolder();
        var rows = Enumerable.Range(0, 6).Select(i => new PromptRow { FileName = $"f{i}", Prompt = new Prompt { Text = $"prompt {i}", Toxicity = i / 10.0 } });
        string file = Write(Path.Combine(t.Path, "rtp.parquet"), rows, rowGroupSize: 4);
        var spec = Parse(Text(new JsonObject { ["format"] = "realtoxicityprompts", ["parquet"] = file }), t.Path);
        Assert.Equal([.. Enumerable.Range(0, 6).Select(i => $"prompt {i}")], spec.Samples);
        var half = Parse(Text(new JsonObject { ["format"] = "realtoxicityprompts", ["parquet"] = file, ["half"] = 1 }), t.Path);
        Assert.Equal(["prompt 2", "prompt 3"], half.Samples);
    }

    [Fact]
    public void CapturePromptsCanBeADatasetObject()
    {
        using var t = new TempFolder();
        var o = Text(new JsonObject { ["format"] = "triviaqa", ["parquet"] = TriviaFolder(t.Path), ["split"] = "validation" });
        o["ranking"] = new JsonObject { ["capture_prompts"] = new JsonObject { ["format"] = "triviaqa", ["parquet"] = TriviaFolder(t.Path), ["split"] = "train", ["limit"] = 2 } };
        var spec = Parse(o, t.Path);
        Assert.Equal(["Q: Where is the city number 100?\nA:", "Q: Where is the city number 101?\nA:"], spec.CapturePrompts!);
        Assert.Equal(Path.Combine(t.Path, "trivia"), spec.CaptureSource);

        ((JsonObject)o["ranking"]!)["capture_half"] = 0;
        Assert.Contains("\"ranking.capture_half\" is for a prompt file", Refused(o, t.Path));
    }

    [Fact]
    public void ImageClassificationKeepsPngAndJpegBytesAndNamesClassesFromTheFeatures()
    {
        using var t = new TempFolder();
        string file = Write(Path.Combine(t.Path, "test-00000-of-00001.parquet"), Labelled(5), features: ClassLabelFeatures("cat", "dog"));
        var o = ImageExperimentJson.Classification(t.Path);
        o["dataset"] = new JsonObject { ["format"] = "image_classification", ["parquet"] = t.Path, ["split"] = "test" };
        var spec = Parse(o, t.Path);
        var task = spec.Images!;
        Assert.Equal(["cat", "dog"], task.Classes);
        Assert.Equal([["cat"], ["dog"], ["cat"], ["dog"], ["cat"]], spec.Golds);
        Assert.Equal(["first.png", "test-00000-of-00001.parquet[1]", "test-00000-of-00001.parquet[2]", "test-00000-of-00001.parquet[3]",
                      "test-00000-of-00001.parquet[4]"], spec.Samples);
        Assert.Equal(task.Images, task.CaptureImages);
        var png = task.Images[1].Decode();
        Assert.Equal((28, 30), (png.Width, png.Height));
        Assert.Equal(PngDecoder.Decode(Png(28, 30, 1), "png").Pixels, png.Pixels);
        Assert.Equal(ImageFile.Load(JpegTestFiles.Path("baseline420.jpg")).Pixels, task.Images[2].Decode().Pixels);   // the JPEG, byte for byte
        Assert.Null(task.Images[2].File);

        // "classes" names integer labels by index instead (and is what the prompt lists)
        ((JsonObject)o["dataset"]!)["classes"] = new JsonArray("zero", "one");
        o.Remove("prompt_ids");
        spec = Parse(o, t.Path);
        Assert.Equal([["zero"], ["one"], ["zero"], ["one"], ["zero"]], spec.Golds);
        Assert.Equal("<image>\nWhat is shown in this image? Answer with one of: zero, one.", spec.Images!.PromptText);
    }

    [Fact]
    public void CaptionsTakeEveryReferenceOfTheList()
    {
        using var t = new TempFolder();
        var rows = new[]
        {
            new CaptionedImage { Image = new Image { Bytes = Png(20, 20, 1), Path = "1000092795.jpg" }, Caption = ["two men", "men in a garden"], Split = "test" },
            new CaptionedImage { Image = new Image { Bytes = Jpeg(), Path = "10002456.jpg" }, Caption = ["a dog"], Split = "train" },
        };
        string file = Write(Path.Combine(t.Path, "flickr.parquet"), rows);
        var o = ImageExperimentJson.Captioning(t.Path);
        o["dataset"] = new JsonObject { ["format"] = "image_captions", ["parquet"] = file };
        var spec = Parse(o, t.Path);
        Assert.Equal(["1000092795.jpg", "10002456.jpg"], spec.Samples);
        Assert.Equal([["two men", "men in a garden"], ["a dog"]], spec.Golds);
        Assert.Equal(2, spec.Images!.Images.Length);
    }

    [Fact]
    public void AMissingColumnIsRefusedNamingTheFileTheFieldAndTheColumnsThereAre()
    {
        using var t = new TempFolder();
        string file = Write(Path.Combine(t.Path, "q.parquet"), Trivia(0, 2));
        var e = Refused(Text(new JsonObject { ["format"] = "realtoxicityprompts", ["parquet"] = file }), t.Path);
        Assert.Contains("\"dataset.parquet\"", e);
        Assert.Contains($"{file}: no column \"prompt.text\" for the prompt", e);
        Assert.Contains("columns: question, question_id, answer, answer.value, answer.aliases, answer.normalized_aliases", e);

        e = Refused(Text(new JsonObject { ["format"] = "triviaqa", ["parquet"] = file, ["columns"] = new JsonObject { ["answers"] = new JsonArray("answer.value", "answer.alias") } }), t.Path);
        Assert.Contains("no column \"answer.alias\" for the answers", e);
    }

    [Fact]
    public void ASplitThatIsNotInTheFolderIsRefusedListingTheSplitsThereAre()
    {
        using var t = new TempFolder();
        var e = Refused(Text(new JsonObject { ["format"] = "triviaqa", ["parquet"] = TriviaFolder(t.Path), ["split"] = "valid" }), t.Path);
        Assert.Contains("\"dataset.parquet\"", e);
        Assert.Contains("holds no Parquet file of split 'valid' (splits found: train, validation)", e);
        Assert.Contains("one Parquet file: a split is chosen only among the files of a folder",
            Refused(Text(new JsonObject { ["format"] = "triviaqa", ["parquet"] = Write(Path.Combine(t.Path, "one.parquet"), Trivia(0, 1)), ["split"] = "train" }), t.Path));
    }

    [Fact]
    public void AnImageColumnThatIsNotAnImageIsRefusedNamingRowAndColumn()
    {
        using var t = new TempFolder();
        var o = ImageExperimentJson.Classification(t.Path);
        string text = Write(Path.Combine(t.Path, "names.parquet"), [new NamedImage { Image = "a.png", Label = 0 }]);
        o["dataset"] = new JsonObject { ["format"] = "image_classification", ["parquet"] = text, ["classes"] = new JsonArray("x") };
        Assert.Contains($"{text}: row 0, column \"image\" is text, not an image", Refused(o, t.Path));

        string notPng = Write(Path.Combine(t.Path, "bytes.parquet"), [new LabelledImage { Image = new Image { Bytes = [1, 2, 3, 4] } }]);
        o["dataset"] = new JsonObject { ["format"] = "image_classification", ["parquet"] = notPng, ["classes"] = new JsonArray("x") };
        Assert.Contains($"{notPng}: row 0, column \"image\" holds 4 bytes that are not a PNG or JPEG image", Refused(o, t.Path));

        string pathOnly = Write(Path.Combine(t.Path, "paths.parquet"), [new LabelledImage { Image = new Image { Path = "/data/x.jpg" } }]);
        o["dataset"] = new JsonObject { ["format"] = "image_classification", ["parquet"] = pathOnly, ["classes"] = new JsonArray("x") };
        Assert.Contains("column \"image\" holds no image bytes (only the path '/data/x.jpg')", Refused(o, t.Path));
    }

    [Fact]
    public void LabelsNeedClassNamesInRange()
    {
        using var t = new TempFolder();
        string file = Write(Path.Combine(t.Path, "l.parquet"), Labelled(3));
        var o = ImageExperimentJson.Classification(t.Path);
        o["dataset"] = new JsonObject { ["format"] = "image_classification", ["parquet"] = file };
        Assert.Contains("row 0, column \"label\" is a class index, but the file has no ClassLabel names for it: give the class names as \"dataset.classes\"", Refused(o, t.Path));
        o["dataset"] = new JsonObject { ["format"] = "image_classification", ["parquet"] = file, ["classes"] = new JsonArray("only") };
        Assert.Contains("row 1, column \"label\" is class 1, outside the 1 class names", Refused(o, t.Path));
    }

    [Fact]
    public void DatasetSourcesAndColumnsAreCheckedByName()
    {
        using var t = new TempFolder();
        string file = Write(Path.Combine(t.Path, "q.parquet"), Trivia(0, 2));
        Assert.Contains("give exactly one of \"dataset.path\"", Refused(Text(new JsonObject { ["format"] = "triviaqa", ["parquet"] = file, ["hub"] = "x/y" }), t.Path));
        Assert.Contains("give exactly one of \"dataset.path\"", Refused(Text(new JsonObject { ["format"] = "triviaqa" }), t.Path));
        Assert.Contains("\"dataset.split\" is for Parquet and hub datasets", Refused(Text(new JsonObject { ["path"] = file, ["split"] = "train" }), t.Path));
        Assert.Contains("\"dataset.config\" is for hub datasets", Refused(Text(new JsonObject { ["parquet"] = file, ["config"] = "c" }), t.Path));
        Assert.Contains("missing field \"dataset.split\"", Refused(Text(new JsonObject { ["hub"] = "allenai/real-toxicity-prompts" }), t.Path));
        Assert.Contains("unknown field \"dataset.columns.text\" (a TriviaQa dataset's columns: question, answers)",
            Refused(Text(new JsonObject { ["format"] = "triviaqa", ["parquet"] = file, ["columns"] = new JsonObject { ["text"] = "question" } }), t.Path));
        Assert.Contains("\"dataset.columns.question\" must be a column name",
            Refused(Text(new JsonObject { ["format"] = "triviaqa", ["parquet"] = file, ["columns"] = new JsonObject { ["question"] = new JsonArray("a", "b") } }), t.Path));
        string notParquet = t.Write("x.parquet", "not parquet at all");
        Assert.Contains($"{notParquet}: not a readable Parquet file", Refused(Text(new JsonObject { ["parquet"] = notParquet }), t.Path));
    }
}

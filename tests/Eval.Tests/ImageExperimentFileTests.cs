using System.Text.Json.Nodes;
using HeadPursuit.Eval.Experiments;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Tests;

namespace HeadPursuit.Eval.Tests;

/// <summary>Parsing and validating image experiments: every mistake is caught before the model loads, naming the field.</summary>
public class ImageExperimentFileTests
{
    static ExperimentSpec Parse(JsonObject o, string folder) => ExperimentFile.Parse(o.ToJsonString(), "images.json", folder);

    static string Refused(JsonObject o, string folder) => Assert.Throws<ArgumentException>(() => Parse(o, folder)).Message;

    [Fact]
    public void ClassFoldersGiveImagesLabelsClassesAndTheDefaultPrompt()
    {
        using var t = new TempFolder();
        var o = ImageExperimentJson.Classification(t.Path);
        o.Remove("prompt_ids");
        var spec = Parse(o, t.Path);
        var task = spec.Images!;
        Assert.Equal(DatasetFormat.ImageClassification, spec.DatasetFormat);
        Assert.Equal(["17", "42"], task.Classes);
        Assert.Equal([["17"], ["17"], ["42"], ["42"], ["42"]], spec.Golds);
        Assert.Equal(Path.Combine(t.Path, "classes", "42", "e.png"), task.Images[4].File);
        Assert.Equal(task.Images, task.CaptureImages);   // no "ranking": the dataset's images are captured
        Assert.Equal("<image>\nWhat is shown in this image? Answer with one of: 17, 42.", task.PromptText);
        Assert.Null(task.PromptIds);
        Assert.Equal([17, 42, 99], task.ConceptIds!);
        Assert.Equal("tiny", spec.Concept);
        Assert.Equal(PositionPolicy.Image, spec.Policy);
    }

    [Fact]
    public void CsvGivesLabelsInFileOrderAndLimitKeepsImagesAndLabelsTogether()
    {
        using var t = new TempFolder();
        ImageExperimentJson.ClassFolders(t.Path);
        t.Write("labels.csv", "path,label\nclasses/42/c.png,cat\nclasses/17/a.png,dog\n\nclasses/42/d.png,cat\n");
        var o = ImageExperimentJson.Classification(t.Path);
        o["dataset"] = new JsonObject { ["format"] = "image_classification", ["path"] = Path.Combine(t.Path, "labels.csv"), ["limit"] = 2 };
        o["prompt"] = "Look: <image> Is it {classes}?";
        o.Remove("prompt_ids");
        var spec = Parse(o, t.Path);
        Assert.Equal(["cat", "dog"], spec.Images!.Classes);
        Assert.Equal([["cat"], ["dog"]], spec.Golds);
        Assert.Equal([Path.Combine(t.Path, "classes", "42", "c.png"), Path.Combine(t.Path, "classes", "17", "a.png")], spec.Images.Images.Select(i => i.File));
        Assert.Equal("Look: <image> Is it cat, dog?", spec.Images.PromptText);
    }

    [Fact]
    public void CaptionsGiveReferencesPerImageAndTheCaptureFolder()
    {
        using var t = new TempFolder();
        var spec = Parse(ImageExperimentJson.Captioning(t.Path), t.Path);
        Assert.Equal([["17 5 5 9", "17 42"], ["42 42 8"], ["99 3 17 4", "5 6 7"]], spec.Golds);
        Assert.Empty(spec.Images!.Classes);
        Assert.Equal([Path.Combine(t.Path, "capture", "q0.png"), Path.Combine(t.Path, "capture", "q1.png")], spec.Images.CaptureImages.Select(i => i.File));
    }

    [Fact]
    public void TheCaptioningPromptDefaultsToDescribeTheImage()
    {
        using var t = new TempFolder();
        var o = ImageExperimentJson.Captioning(t.Path);
        o.Remove("prompt_ids");
        Assert.Equal("<image>\nDescribe the image.", Parse(o, t.Path).Images!.PromptText);
    }

    [Fact]
    public void AClassNotAmongTheGivenClassesIsRefused()
    {
        using var t = new TempFolder();
        var o = ImageExperimentJson.Classification(t.Path);
        o["dataset"]!["classes"] = new JsonArray("17", "5");
        Assert.Contains("class '42' is not one of the classes given (17, 5)", Refused(o, t.Path));
        Assert.StartsWith("images.json: \"dataset.path\"", Refused(o, t.Path));
    }

    [Fact]
    public void EmptyImageSetsAreRefused()
    {
        using var t = new TempFolder();
        var o = ImageExperimentJson.Classification(t.Path);
        Directory.CreateDirectory(Path.Combine(t.Path, "none"));
        o["dataset"]!["path"] = Path.Combine(t.Path, "none");
        Assert.Contains("\"dataset.path\"", Refused(o, t.Path));
        Assert.Contains("holds no images", Refused(o, t.Path));

        Directory.CreateDirectory(Path.Combine(t.Path, "classes", "empty"));
        o["dataset"]!["path"] = Path.Combine(t.Path, "classes");
        Assert.Contains("empty holds no images", Refused(o, t.Path));
    }

    [Fact]
    public void FilesThatAreNotPngOrJpegAreRefusedWithTheirPath()
    {
        using var t = new TempFolder();
        var o = ImageExperimentJson.Classification(t.Path);
        string bogus = Path.Combine(t.Path, "classes", "17", "notes.png");
        File.WriteAllText(bogus, "not an image");
        string message = Refused(o, t.Path);
        Assert.Contains("\"dataset.path\"", message);
        Assert.Contains($"{bogus} is not a PNG or JPEG image", message);

        File.Delete(bogus);
        t.Write("loose.png", "x");
        File.Move(Path.Combine(t.Path, "loose.png"), Path.Combine(t.Path, "classes", "loose.png"));
        Assert.Contains("must lie in a subfolder named after their class", Refused(o, t.Path));
    }

    [Fact]
    public void ACaptionedImageMissingFromTheFolderIsRefused()
    {
        using var t = new TempFolder();
        var o = ImageExperimentJson.Captioning(t.Path);
        File.Delete(Path.Combine(t.Path, "caption-images", "p1.png"));
        Assert.Contains("p1.png: image not found", Assert.ThrowsAny<Exception>(() => Parse(o, t.Path)).Message);
        o["dataset"]!.AsObject().Remove("images");
        Assert.Contains("missing field \"dataset.images\"", Refused(o, t.Path));
    }

    [Fact]
    public void ATextOnlyModelGivenAnImageTaskIsRefusedBeforeLoading()
    {
        using var t = new TempFolder();
        var o = ImageExperimentJson.Classification(t.Path);
        o["model"] = Fixtures.Path("stories260K");
        string message = Refused(o, t.Path);
        Assert.Contains("\"dataset.format\" is an image task", message);
        Assert.Contains("text-only model (model_type \"llama\")", message);
    }

    [Fact]
    public void PromptMistakesAreRefusedNamingTheField()
    {
        using var t = new TempFolder();
        var o = ImageExperimentJson.Classification(t.Path);
        o["prompt"] = "no image here";
        Assert.Contains("give \"prompt\" or \"prompt_ids\", not both", Refused(o, t.Path));
        o.Remove("prompt_ids");
        Assert.Contains("\"prompt\" must hold <image> exactly once (it holds it 0 times)", Refused(o, t.Path));
        o["prompt"] = "<image><image>";
        Assert.Contains("(it holds it 2 times)", Refused(o, t.Path));
    }

    [Fact]
    public void MetricsAndFieldsOfTheOtherKindOfTaskAreRefused()
    {
        using var t = new TempFolder();
        var o = ImageExperimentJson.Classification(t.Path);
        o["metrics"] = new JsonArray("cider_d");
        Assert.Contains("cider_d needs an image_captions dataset", Refused(o, t.Path));
        o["metrics"] = new JsonArray("perplexity");
        Assert.Contains("'perplexity' is not available for image tasks", Refused(o, t.Path));
        o["metrics"] = new JsonArray("accuracy");
        o["dataset"]!["images"] = t.Path;
        Assert.Contains("\"dataset.images\" is for image_captions datasets", Refused(o, t.Path));

        var text = ExperimentJson.Small();
        text["metrics"] = new JsonArray("accuracy");
        Assert.Contains("accuracy needs an image_classification dataset", Refused(text, t.Path));
        text["metrics"] = new JsonArray("concept_frequency");
        text["policy"] = "image";
        Assert.Contains("\"policy\" image needs an image task", Refused(text, t.Path));
        text["policy"] = "all";
        text["concept_ids"] = new JsonArray(3);
        Assert.Contains("\"concept_ids\" is for image tasks", Refused(text, t.Path));
        text.Remove("concept_ids");
        text["prompt"] = "<image>";
        Assert.Contains("\"prompt\" / \"prompt_ids\" are for image tasks", Refused(text, t.Path));
    }
}

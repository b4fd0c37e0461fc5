using System.Text.Json.Nodes;
using HeadPursuit.Runtime.Tests.Imaging;
using HeadPursuit.Tests;

namespace HeadPursuit.Eval.Tests;

/// <summary>
/// Small image experiments on the llava-tiny fixture (no tokenizer: prompts, concepts, classes and captions are token
/// ids) over synthetic PNGs written into a temp folder, to vary field by field.
/// </summary>
static class ImageExperimentJson
{
    public const int ImageToken = 1023;

    /// <summary>A random RGB PNG of the given size (seeded, so every run sees the same pixels).</summary>
    public static void WritePng(string path, int width, int height, int seed)
    {
        var rng = new Random(seed);
        var samples = new int[height * width * 3];   // [H, W, RGB]
        for (int i = 0; i < samples.Length; i++) samples[i] = rng.Next(256);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, TestPngEncoder.Encode(width, height, colorType: 2, depth: 8, samples));
    }

    /// <summary>classes/17/a.png, b.png and classes/42/c.png, d.png, e.png (sizes vary, so resizing and cropping run).</summary>
    public static string ClassFolders(string root)
    {
        string folder = Path.Combine(root, "classes");
        WritePng(Path.Combine(folder, "17", "a.png"), 32, 32, 1);
        WritePng(Path.Combine(folder, "17", "b.png"), 40, 30, 2);
        WritePng(Path.Combine(folder, "42", "c.png"), 24, 36, 3);
        WritePng(Path.Combine(folder, "42", "d.png"), 33, 33, 4);
        WritePng(Path.Combine(folder, "42", "e.png"), 50, 20, 5);
        return folder;
    }

    public static JsonObject Classification(string root) => new()
    {
        ["name"] = "tiny-classes",
        ["model"] = Fixtures.Path("llava-tiny"),
        ["dataset"] = new JsonObject { ["format"] = "image_classification", ["path"] = ClassFolders(root) },
        ["prompt_ids"] = new JsonArray(1, ImageToken, 5, 6, 7),
        ["concept"] = "tiny",
        ["concept_ids"] = new JsonArray(17, 42, 99),
        ["k"] = new JsonArray(1, 2),
        ["alphas"] = new JsonArray(1),
        ["policy"] = "image",
        ["selections"] = new JsonArray("somp", "logit_lens", "random"),
        ["random_draws"] = 2,
        ["seed"] = 3,
        ["decoding"] = new JsonObject { ["max_new_tokens"] = 6 },
        ["metrics"] = new JsonArray("accuracy", "concept_frequency"),
        ["batch"] = 2,
        ["report"] = Path.Combine(root, "report"),
    };

    /// <summary>Three images with id "captions" and a captioning experiment over them, ranked on a separate capture folder.</summary>
    public static JsonObject Captioning(string root)
    {
        string images = Path.Combine(root, "caption-images"), capture = Path.Combine(root, "capture");
        for (int i = 0; i < 3; i++) WritePng(Path.Combine(images, $"p{i}.png"), 30 + 4 * i, 32, 10 + i);
        for (int i = 0; i < 2; i++) WritePng(Path.Combine(capture, $"q{i}.png"), 32, 32, 20 + i);
        File.WriteAllText(Path.Combine(root, "captions.json"), """
            { "p0.png": ["17 5 5 9", "17 42"], "p1.png": ["42 42 8"], "p2.png": ["99 3 17 4", "5 6 7"] }
            """);
        return new JsonObject
        {
            ["name"] = "tiny-captions",
            ["model"] = Fixtures.Path("llava-tiny"),
            ["dataset"] = new JsonObject { ["format"] = "image_captions", ["path"] = Path.Combine(root, "captions.json"), ["images"] = images },
            ["prompt_ids"] = new JsonArray(1, 9, ImageToken, 11),
            ["concept_ids"] = new JsonArray(17, 42),
            ["ranking"] = new JsonObject { ["capture_images"] = capture },
            ["k"] = new JsonArray(2),
            ["alphas"] = new JsonArray(1),
            ["policy"] = "all",
            ["selections"] = new JsonArray("somp", "random"),
            ["random_draws"] = 2,
            ["decoding"] = new JsonObject { ["max_new_tokens"] = 6 },
            ["metrics"] = new JsonArray("concept_frequency", "cider_d"),
            ["batch"] = 3,
            ["report"] = Path.Combine(root, "captions-report"),
        };
    }
}

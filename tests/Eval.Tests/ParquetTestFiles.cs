using System.Text.Json.Serialization;
using HeadPursuit.Runtime.Tests.Imaging;
using Parquet;
using Parquet.Serialization;

namespace HeadPursuit.Eval.Tests;

/// <summary>
/// Small Parquet datasets written with Parquet.Net itself, shaped as the Hugging Face hub stores them: TriviaQA rows
/// (question + answer struct with alias lists), RealToxicityPrompts rows (prompt struct), Image-feature structs
/// {bytes, path} with ClassLabel labels (the datasets features in the "huggingface" metadata), captions lists.
/// </summary>
static class ParquetTestFiles
{
    public sealed class Answer
    {
        [JsonPropertyName("value")] public string? Value { get; set; }
        [JsonPropertyName("aliases")] public List<string> Aliases { get; set; } = [];
        [JsonPropertyName("normalized_aliases")] public List<string> NormalizedAliases { get; set; } = [];
    }

    public sealed class TriviaRow
    {
        [JsonPropertyName("question")] public string? Question { get; set; }
        [JsonPropertyName("question_id")] public string? QuestionId { get; set; }
        [JsonPropertyName("answer")] public Answer? Answer { get; set; }
    }

    public sealed class Prompt
    {
        [JsonPropertyName("text")] public string? Text { get; set; }
        [JsonPropertyName("toxicity")] public double? Toxicity { get; set; }
    }

    public sealed class PromptRow
    {
        [JsonPropertyName("filename")] public string? FileName { get; set; }
        [JsonPropertyName("prompt")] public Prompt? Prompt { get; set; }
    }

    /// <summary>The datasets library's Image feature as Parquet holds it.</summary>
    public sealed class Image
    {
        [JsonPropertyName("bytes")] public byte[]? Bytes { get; set; }
        [JsonPropertyName("path")] public string? Path { get; set; }
    }

    public sealed class LabelledImage
    {
        [JsonPropertyName("image")] public Image? Image { get; set; }
        [JsonPropertyName("label")] public long Label { get; set; }
    }

    /// <summary>A row whose "image" column is text (a file name), not an image.</summary>
    public sealed class NamedImage
    {
        [JsonPropertyName("image")] public string? Image { get; set; }
        [JsonPropertyName("label")] public long Label { get; set; }
    }

    public sealed class CaptionedImage
    {
        [JsonPropertyName("image")] public Image? Image { get; set; }
        [JsonPropertyName("caption")] public List<string> Caption { get; set; } = [];
        [JsonPropertyName("split")] public string? Split { get; set; }
    }

    /// <param name="features">The "huggingface" key-value metadata, or null for none.</param>
    public static string Write<T>(string path, IEnumerable<T> rows, int rowGroupSize = 2, string? features = null) where T : class, new()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var stream = File.Create(path);
        var metadata = features == null ? null : new Dictionary<string, string> { ["huggingface"] = features };
        ParquetSerializer.SerializeAsync(rows, stream, new ParquetOptions { RowGroupSize = rowGroupSize }, metadata).GetAwaiter().GetResult();
        return path;
    }

    /// <summary>The datasets features JSON of an Image column "image" and a ClassLabel column "label" with these names.</summary>
    public static string ClassLabelFeatures(params string[] names) =>
        "{\"info\": {\"features\": {\"image\": {\"_type\": \"Image\"}, \"label\": {\"names\": ["
        + string.Join(", ", names.Select(n => $"\"{n}\"")) + "], \"_type\": \"ClassLabel\"}}}}";

    /// <summary>A random RGB PNG (seeded).</summary>
    public static byte[] Png(int width, int height, int seed)
    {
        var rng = new Random(seed);
        var samples = new int[height * width * 3];   // [H, W, RGB]
        for (int i = 0; i < samples.Length; i++) samples[i] = rng.Next(256);
        return TestPngEncoder.Encode(width, height, colorType: 2, depth: 8, samples);
    }

    /// <summary>A 48 x 32 baseline 4:2:0 JPEG made by cjpeg (tests/Runtime.Tests/Imaging/jpeg).</summary>
    public static byte[] Jpeg() => JpegTestFiles.Bytes("baseline420.jpg");

    /// <summary>Five TriviaQA-style rows; row i asks question "Qi" and answers "Ai" (aliases "ai", "A i").</summary>
    public static TriviaRow[] Trivia(int first, int count) =>
        [.. Enumerable.Range(first, count).Select(i => new TriviaRow
        {
            Question = $"Where is the city number {i}?", QuestionId = $"q{i}",
            Answer = new Answer { Value = $"A{i}", Aliases = [$"A{i}", $"a{i}"], NormalizedAliases = i % 2 == 0 ? [$"a {i}"] : [] },
        })];

    /// <summary>Labelled images: PNGs of varied sizes and the JPEG, alternating labels 0 and 1; "path" set on some.</summary>
    public static LabelledImage[] Labelled(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new LabelledImage
        {
            Image = new Image { Bytes = i % 3 == 2 ? Jpeg() : Png(24 + 4 * i, 30, i), Path = i == 0 ? "first.png" : null },
            Label = i % 2,
        })];
}

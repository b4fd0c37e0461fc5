using System.Text.Json;
using HeadPursuit.Eval.Data;
using static HeadPursuit.Eval.Experiments.JsonFields;

using HeadPursuit.Runtime.Hub;

namespace HeadPursuit.Eval.Experiments;

/// <summary>A dataset read from an experiment file: its samples as prompts (image tasks: the images' names), golds and images.</summary>
/// <param name="Source">Where it came from: the file or folder, or "hub ID (config C, split S)".</param>
/// <param name="Golds">Per sample, the accepted answers, the class (one element) or the reference captions; null for prompt sets.</param>
/// <param name="Classes">The class names of an image-classification set (empty otherwise).</param>
sealed record DatasetContent(DatasetFormat Format, string Source, int? Half, string[] Prompts, string[][]? Golds, ImageInput[] Images, string[] Classes);

/// <summary>
/// Reads a dataset object of an experiment file ("dataset", or "ranking.capture_prompts" given as an object):
/// <code>
/// { "format": "triviaqa",                                  // the task: prompts, triviaqa, realtoxicityprompts, questions,
///                                                          //   image_classification, image_captions
///   "path": "file or folder",                              // the formats of Data/ (JSON, JSON lines, text, CSV, image folders), or
///   "parquet": "file.parquet or folder", "split": "validation",               // Parquet (a folder: the split's files), or
///   "hub": "mandarjoshi/trivia_qa", "config": "rc.nocontext", "split": "validation",   // a Hugging Face hub dataset
///   "columns": { "question": "question", "answers": ["answer.value", "answer.aliases"] },   // Parquet/hub only; defaults below
///   "limit": 0, "half": 0, "classes": [...], "images": "folder" }
/// </code>
/// Columns are paths into the rows (struct members joined with '.'); each task's roles and their defaults, which fit
/// the hub's datasets for it (TriviaQA rc.nocontext, allenai/real-toxicity-prompts, ylecun/mnist, ufldl-stanford/svhn,
/// GTSRB and EuroSAT mirrors, nlphuji/flickr30k), are in <see cref="DefaultColumns"/>.
/// </summary>
static class DatasetSection
{
    static readonly string[] Fields = ["format", "path", "parquet", "hub", "config", "split", "columns", "limit", "half", "classes", "images"];

    /// <summary>The roles of each task's columns and their defaults (a list where a role may take several columns).</summary>
    public static IReadOnlyDictionary<string, string[]> DefaultColumns(DatasetFormat format) => format switch
    {
        DatasetFormat.TriviaQa => new Dictionary<string, string[]> { ["question"] = ["question"], ["answers"] = ["answer.value", "answer.aliases", "answer.normalized_aliases"] },
        DatasetFormat.Questions => new Dictionary<string, string[]> { ["prompt"] = ["prompt"], ["answers"] = ["answers"] },
        DatasetFormat.RealToxicityPrompts => new Dictionary<string, string[]> { ["prompt"] = ["prompt.text"] },
        DatasetFormat.Prompts => new Dictionary<string, string[]> { ["prompt"] = ["text"] },
        DatasetFormat.ImageClassification => new Dictionary<string, string[]> { ["image"] = ["image"], ["label"] = ["label"] },
        DatasetFormat.ImageCaptions => new Dictionary<string, string[]> { ["image"] = ["image"], ["captions"] = ["caption"] },
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    /// <summary>Roles that take one column (the others take a list).</summary>
    static readonly string[] SingleColumnRoles = ["question", "prompt", "image", "label"];

    /// <param name="prefix">The object's place in the file for error messages, e.g. "dataset.".</param>
    /// <param name="resolve">Makes a path in the file absolute.</param>
    public static DatasetContent Read(JsonElement dataset, string source, string prefix, Func<string, string> resolve, IProgress<DownloadProgress>? downloads)
    {
        Unknown(dataset, Fields, source, prefix);
        var format = (OptionalString(dataset, "format", source, prefix) ?? "prompts") switch
        {
            "prompts" => DatasetFormat.Prompts,
            "triviaqa" => DatasetFormat.TriviaQa,
            "realtoxicityprompts" => DatasetFormat.RealToxicityPrompts,
            "questions" => DatasetFormat.Questions,
            "image_classification" => DatasetFormat.ImageClassification,
            "image_captions" => DatasetFormat.ImageCaptions,
            var f => throw Error(source, $"\"{prefix}format\" '{f}' is not one of prompts, triviaqa, realtoxicityprompts, questions, image_classification, image_captions"),
        };
        bool imageTask = format is DatasetFormat.ImageClassification or DatasetFormat.ImageCaptions;
        bool Has(string field) => dataset.TryGetProperty(field, out _);
        if (format != DatasetFormat.ImageClassification && Has("classes"))
            throw Error(source, $"\"{prefix}classes\" is for image_classification datasets");
        if (format != DatasetFormat.ImageCaptions && Has("images"))
            throw Error(source, $"\"{prefix}images\" is for image_captions datasets (the folder of the captioned images)");

        string? path = OptionalString(dataset, "path", source, prefix), parquet = OptionalString(dataset, "parquet", source, prefix),
                hub = OptionalString(dataset, "hub", source, prefix), split = OptionalString(dataset, "split", source, prefix),
                config = OptionalString(dataset, "config", source, prefix);
        if ((path != null ? 1 : 0) + (parquet != null ? 1 : 0) + (hub != null ? 1 : 0) != 1)
            throw Error(source, $"give exactly one of \"{prefix}path\" (a file or folder in a format of its own), \"{prefix}parquet\" (a Parquet file or folder) and \"{prefix}hub\" (a Hugging Face dataset id)");
        if (path != null)
            foreach (var name in new[] { "split", "config", "columns" })
                if (Has(name)) throw Error(source, $"\"{prefix}{name}\" is for Parquet and hub datasets (\"{prefix}parquet\", \"{prefix}hub\")");
        if (config != null && hub == null) throw Error(source, $"\"{prefix}config\" is for hub datasets (\"{prefix}hub\")");
        if (hub != null && split == null) throw Error(source, $"missing field \"{prefix}split\" (the hub dataset's split, e.g. \"validation\")");
        if (path != null && format == DatasetFormat.ImageCaptions && !Has("images"))
            throw Error(source, $"missing field \"{prefix}images\" (the folder of the captioned images)");
        if (parquet != null && Has("images")) throw Error(source, $"\"{prefix}images\" is for a captions file (\"{prefix}path\"): Parquet rows hold their images");

        int limit = Int(dataset, "limit", 0, source, prefix);
        if (limit < 0) throw Error(source, $"\"{prefix}limit\" must be >= 0 (0 = all), got {limit}");
        int? half = Half(dataset, "half", source, prefix);
        if (half != null && format is DatasetFormat.TriviaQa or DatasetFormat.ImageClassification or DatasetFormat.ImageCaptions)
            throw Error(source, $"\"{prefix}half\" is not supported for {format} datasets");
        var givenClasses = Has("classes") ? StringArray(dataset, "classes", source, prefix) : null;
        if (givenClasses is { Length: 0 }) throw Error(source, $"\"{prefix}classes\" is empty");

        string field = path != null ? "path" : parquet != null ? "parquet" : "hub";
        string where = path != null ? resolve(path) : parquet != null ? resolve(parquet) : $"hub {hub} (config {config ?? "default"}, split {split})";
        DatasetContent content;
        try
        {
            if (path != null) content = FromFile(format, where, resolve, dataset, source, prefix, givenClasses);
            else
            {
                var columns = Columns(dataset, format, source, prefix);
                string[] files;
                if (hub != null)
                {
                    var found = HubDatasets.ParquetFiles(hub, config, split!, downloads);
                    (files, where) = ([.. found.Files], HubDatasets.Describe(found));
                }
                else files = ParquetFiles.Resolve(where, split);
                // with "half" every row is read first; otherwise reading stops at "limit"
                content = FromParquet(format, where, ParquetTable.Open(files), columns, half == null ? limit : 0, givenClasses);
            }
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException or DirectoryNotFoundException)
        {
            throw Error(source, $"\"{prefix}{field}\": {e.Message}");
        }
        return Trim(content with { Half = half }, half, limit, source, prefix);
    }

    /// <summary>The formats read from files of their own (Data/).</summary>
    static DatasetContent FromFile(DatasetFormat format, string path, Func<string, string> resolve, JsonElement dataset, string source, string prefix,
                                   string[]? givenClasses)
    {
        string[][]? golds = null;
        switch (format)
        {
            case DatasetFormat.TriviaQa:
                var items = TriviaQaFile.Read(path);
                return new(format, path, null, [.. items.Select(TriviaPrompt)], [.. items.Select(q => q.Golds)], [], []);
            case DatasetFormat.Questions:
                var rows = QuestionsFile.Read(path);
                return new(format, path, null, [.. rows.Select(r => r.Prompt)], [.. rows.Select(r => r.Answers)], [], []);
            case DatasetFormat.ImageClassification:
                var set = ImageClassificationSet.Read(path, givenClasses);
                golds = [.. set.Labels.Select(l => new[] { l })];
                return new(format, path, null, [.. set.Images.Select(f => Path.GetRelativePath(Path.GetDirectoryName(path)!, f.File!))], golds, set.Images, set.Classes);
            case DatasetFormat.ImageCaptions:
                var captioned = ImageCaptionSet.Read(path, resolve(RequiredString(dataset, "images", source, prefix)));
                return new(format, path, null, [.. captioned.Images.Select(f => Path.GetFileName(f.File!))], captioned.References, captioned.Images, []);
            case DatasetFormat.RealToxicityPrompts: return new(format, path, null, RealToxicityPromptsFile.Read(path), null, [], []);
            default: return new(format, path, null, PromptLines.Read(path), null, [], []);
        }
    }

    static DatasetContent FromParquet(DatasetFormat format, string where, ParquetTable table, IReadOnlyDictionary<string, string[]> columns, int limit,
                                      string[]? givenClasses)
    {
        switch (format)
        {
            case DatasetFormat.TriviaQa:
            case DatasetFormat.Questions:
                bool trivia = format == DatasetFormat.TriviaQa;
                var items = ParquetDataset.Questions(table, columns[trivia ? "question" : "prompt"][0], columns["answers"], limit);
                return new(format, where, null, [.. items.Select(q => trivia ? TriviaPrompt(q) : q.Question)], [.. items.Select(q => q.Golds)], [], []);
            case DatasetFormat.ImageClassification:
                var set = ParquetDataset.Classification(table, columns["image"][0], columns["label"][0], givenClasses, limit);
                return new(format, where, null, [.. set.Images.Select(i => i.Name)], [.. set.Labels.Select(l => new[] { l })], set.Images, set.Classes);
            case DatasetFormat.ImageCaptions:
                var captioned = ParquetDataset.Captions(table, columns["image"][0], columns["captions"], limit);
                return new(format, where, null, [.. captioned.Images.Select(i => i.Name)], captioned.References, captioned.Images, []);
            default:
                return new(format, where, null, ParquetDataset.Prompts(table, columns["prompt"][0], limit), null, [], []);
        }
    }

    /// <summary>A TriviaQA question as the model reads it.</summary>
    static string TriviaPrompt(QaItem q) => $"Q: {q.Question}\nA:";

    /// <summary>"half" (Data.PairedHalves), then "limit".</summary>
    static DatasetContent Trim(DatasetContent c, int? half, int limit, string source, string prefix)
    {
        if (half is { } kept) c = c with { Prompts = PairedHalves.Take(c.Prompts, kept), Golds = c.Golds == null ? null : PairedHalves.Take(c.Golds, kept) };
        if (limit > 0)
        {
            int n = Math.Min(limit, c.Prompts.Length);
            c = c with { Prompts = c.Prompts[..n], Golds = c.Golds?[..n], Images = c.Images.Length > 0 ? c.Images[..n] : [] };
        }
        if (c.Prompts.Length == 0) throw Error(source, $"the dataset \"{prefix.TrimEnd('.')}\" holds no prompts after \"half\" / \"limit\"");
        return c;
    }

    /// <summary>The task's columns: "columns" over the defaults; a role given a list must allow one.</summary>
    static IReadOnlyDictionary<string, string[]> Columns(JsonElement dataset, DatasetFormat format, string source, string prefix)
    {
        var columns = new Dictionary<string, string[]>(DefaultColumns(format));
        if (!dataset.TryGetProperty("columns", out var given)) return columns;
        if (given.ValueKind != JsonValueKind.Object) throw Error(source, $"\"{prefix}columns\" must be an object {{role: column}}");
        foreach (var p in given.EnumerateObject())
        {
            string field = $"{prefix}columns.{p.Name}";
            if (!columns.ContainsKey(p.Name))
                throw Error(source, $"unknown field \"{field}\" (a {format} dataset's columns: {string.Join(", ", columns.Keys)})");
            bool single = SingleColumnRoles.Contains(p.Name);
            columns[p.Name] = p.Value.ValueKind switch
            {
                JsonValueKind.String when p.Value.GetString()!.Trim().Length > 0 => [p.Value.GetString()!],
                JsonValueKind.Array when !single && p.Value.GetArrayLength() > 0
                    && p.Value.EnumerateArray().All(x => x.ValueKind == JsonValueKind.String && x.GetString()!.Trim().Length > 0)
                    => [.. p.Value.EnumerateArray().Select(x => x.GetString()!)],
                _ => throw Error(source, $"\"{field}\" must be a column name{(single ? "" : " or a non-empty array of column names")}"),
            };
        }
        return columns;
    }
}

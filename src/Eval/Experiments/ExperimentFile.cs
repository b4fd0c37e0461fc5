using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HeadPursuit.Runtime.Input;
using HeadPursuit.Eval.Data;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Generation;
using HeadPursuit.Runtime.Hub;
using HeadPursuit.Somp;
using static HeadPursuit.Eval.Experiments.JsonFields;

namespace HeadPursuit.Eval.Experiments;

/// <summary>
/// Reads and validates an experiment file, before any model work. Relative paths are relative to the file's folder.
/// <code>
/// { "name": "stories260k-colours",
///   "model": "../tests/fixtures/stories260K",                // folder or hub id
///   "dataset": { "format": "prompts", "path": "../data/eval/stories-heldout.txt", "limit": 0 },   // or triviaqa, realtoxicityprompts,
///              // questions (JSON lines with "prompt" and "answers"); "half": 0 or 1 keeps one half (Data.PairedHalves)
///   "dataset": { "format": "triviaqa", "parquet": "trivia_qa/rc.nocontext/", "split": "validation" },   // Parquet: a file or folder
///   "dataset": { "format": "triviaqa", "hub": "mandarjoshi/trivia_qa", "config": "rc.nocontext", "split": "validation",
///                "columns": { "question": "question" } },   // a hub dataset; column roles and defaults: DatasetSection
///   "concept": "colours",                                   // built-in list, word-list file, or "lexicon:NAME" (model folder's lexicon.json)
///   "concept_tokens": "both",                               // or "space": only the " word" tokenization
///   "ranking": { "capture_prompts": "../data/prompts/stories-colours.txt", "positions": "all-but-special",   // or a dataset object
///                "capture_half": 0, "exclude_prefix": "Question:", "exclude_suffix": " Answer:" },   // the last three optional
///              // or { "somp": "colours.somp.json", "logit_lens": "colours.logit_lens.json" }
///   "k": [1, 2, 4, 8], "alphas": [-1, 5],
///   "policy": "all",                                        // prompt, generated, or { "span": [start, end] }
///   "selections": ["somp", "logit_lens", "random", { "name": "mine", "heads": ["L3H5"] }],
///   "random_draws": 10, "seed": 1234,
///   "decoding": { "max_new_tokens": 32, "temperature": 0, "top_k": 0, "top_p": 1, "seed": 0 },
///   "metrics": ["concept_frequency", "perplexity"],          // also toxicity, qa_exact_match, qa_f1, concept_mass
///   "plot_metrics": ["qa_f1_concept", "qa_f1_other"],         // reported values drawn in STEM.alpha=A.svg (default: all)
///   "toxicity_words": "toxicity", "batch": 32,
///   "toxicity_classifier": { "model": "s-nlp/roberta_toxicity_classifier", "label": "toxic", "threshold": 0.5 },   // optional, with
///              // "toxicity": a sequence classifier (folder or hub id) also scores each generation; label and threshold as shown by default
///   "report": "../docs/stories260k-colours" }
/// </code>
/// An image task (LLaVA models) changes the dataset, prompt, concept, ranking, policy and metrics:
/// <code>
///   "dataset": { "format": "image_classification", "path": "images/",   // a folder per class, or a CSV of path,label
///                "classes": ["cat", "dog"] },                            // optional: the classes allowed and listed in the prompt
///   "dataset": { "format": "image_captions", "path": "captions.json", "images": "flickr30k-images/" },   // or a Flickr30k token file
///   "dataset": { "format": "image_classification", "hub": "ylecun/mnist", "split": "test" },   // Parquet / hub: image bytes + label
///              // (integer labels named by the file's ClassLabel names or by "classes"); captions: "hub": "nlphuji/flickr30k"
///   "prompt": "&lt;image&gt;\nWhat is shown in this image? Answer with one of: {classes}.",   // the default for classification;
///              // "&lt;image&gt;\nDescribe the image." for captions; or "prompt_ids": [1, 1023, 5] holding the image token once
///   "concept": "colours",  or  "concept_ids": [5, 17] (with "concept" as its name; for models without a tokenizer)
///   "ranking": { "capture_images": "capture/" },    // optional: default the dataset's images; or ranking files "somp" / "logit_lens"
///   "policy": "image",                              // heads scaled at the image-token positions only (also all, prompt, generated, span)
///   "metrics": ["accuracy"]  or  ["concept_frequency", "cider_d"]   // (toxicity too)
/// </code>
/// Without a tokenizer a generation's text is its token ids joined by spaces, so class names, concept ids and captions
/// are matched as ids.
/// </summary>
public static class ExperimentFile
{
    static readonly string[] TopFields = ["name", "model", "dataset", "concept", "ranking", "k", "alphas", "policy", "selections",
                                          "random_draws", "decoding", "seed", "metrics", "toxicity_words", "toxicity_classifier", "batch", "report",
                                          "concept_tokens", "plot_metrics", "prompt", "prompt_ids", "concept_ids"];

    /// <param name="downloads">Where a hub dataset's downloads are reported (the CLI's progress lines), or null.</param>
    public static ExperimentSpec Load(string path, IProgress<DownloadProgress>? downloads = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: experiment file not found", path);
        string text = TextFile.Read(path);
        return Parse(text, path, Path.GetDirectoryName(Path.GetFullPath(path))!, downloads);
    }

    /// <param name="source">The file name used in error messages.</param>
    /// <param name="folder">The folder relative paths start from.</param>
    public static ExperimentSpec Parse(string text, string source, string folder, IProgress<DownloadProgress>? downloads = null)
    {
        using var doc = Json.Parse(text, source);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw Error(source, "the experiment must be a JSON object");
        Unknown(root, TopFields, source, "");
        string Resolve(string p) => Path.GetFullPath(Path.Combine(folder, p));

        // dataset
        var data = DatasetSection.Read(Object(root, "dataset", source), source, "dataset.", Resolve, downloads);
        var (format, prompts, golds, images, classes) = (data.Format, data.Prompts, data.Golds, data.Images, data.Classes);
        bool imageTask = format is DatasetFormat.ImageClassification or DatasetFormat.ImageCaptions;
        string model = ModelPath(RequiredString(root, "model", source, ""), folder);
        if (imageTask && Directory.Exists(model)) ImageTaskSpec.CheckModelFolder(model, source);
        var (promptText, promptIds) = ImagePrompt(root, format, classes, source);

        // concept
        var conceptIds = IntArray(root, "concept_ids", source, required: false);
        if (conceptIds != null && !imageTask) throw Error(source, "\"concept_ids\" is for image tasks (text experiments give the concept as words)");
        if (conceptIds != null && conceptIds.Any(id => id < 0)) throw Error(source, "\"concept_ids\" must be token ids (>= 0)");
        string concept = conceptIds != null ? OptionalString(root, "concept", source, "") ?? "concept" : RequiredString(root, "concept", source, "");
        var conceptTokens = (OptionalString(root, "concept_tokens", source, "") ?? "both") switch
        {
            "both" => ConceptTokens.Both,
            "space" => ConceptTokens.SpaceVariant,
            var t => throw Error(source, $"\"concept_tokens\" '{t}' is not one of both, space"),
        };
        if (conceptIds == null && LexiconFile.IsReference(concept))
        {
            try { LexiconFile.Read(Path.Combine(model, LexiconFile.FileName), concept[LexiconFile.Prefix.Length..]); }
            catch (Exception e) when (e is ArgumentException or FileNotFoundException) { throw Error(source, $"\"concept\" '{concept}': {e.Message}"); }
        }
        else if (conceptIds == null && !ConceptLists.BuiltinNames.Contains(concept))
        {
            if (!File.Exists(Resolve(concept)))
                throw Error(source, $"\"concept\" '{concept}' is neither a built-in concept ({string.Join(", ", ConceptLists.BuiltinNames)}), a word-list file nor lexicon:NAME");
            concept = Resolve(concept);
        }

        // head selections
        var selections = Selections(root, source);
        bool ranked = selections.Any(s => s.Kind != SelectionKind.Explicit);
        if (selections.Any(s => s.Kind == SelectionKind.Random) && !selections.Any(s => s.Kind == SelectionKind.Somp))
            throw Error(source, "\"selections\": random sets are matched to SOMP's heads, so \"random\" needs \"somp\" too");

        // ranking
        string? capture = null, sompFile = null, lensFile = null, excludePrefix = null, excludeSuffix = null;
        string[]? capturePrompts = null;
        int? captureHalf = null;
        var positions = CapturePositions.AllButSpecial;
        ImageInput[] captureImages = [];
        if (ranked && imageTask) (captureImages, sompFile, lensFile) = ImageRanking(root, images, source, Resolve);
        else if (ranked)
        {
            var ranking = Object(root, "ranking", source);
            Unknown(ranking, ["capture_prompts", "positions", "somp", "logit_lens", "capture_half", "exclude_prefix", "exclude_suffix"], source, "ranking.");
            captureHalf = Half(ranking, "capture_half", source, "ranking.");
            excludePrefix = OptionalString(ranking, "exclude_prefix", source, "ranking.");
            excludeSuffix = OptionalString(ranking, "exclude_suffix", source, "ranking.");
            (capture, capturePrompts) = CapturePrompts(ranking, captureHalf, source, Resolve, downloads);
            sompFile = OptionalString(ranking, "somp", source, "ranking.") is { } s ? Resolve(s) : null;
            lensFile = OptionalString(ranking, "logit_lens", source, "ranking.") is { } l ? Resolve(l) : null;
            positions = (OptionalString(ranking, "positions", source, "ranking.") ?? "all-but-special") switch
            {
                "all-but-special" => CapturePositions.AllButSpecial,
                "last" => CapturePositions.Last,
                "all" => CapturePositions.All,
                var p => throw Error(source, $"\"ranking.positions\" '{p}' is not one of all-but-special, last, all"),
            };
            if (capture == null && (sompFile == null && selections.Any(x => x.Kind is SelectionKind.Somp or SelectionKind.Random)
                                    || lensFile == null && selections.Any(x => x.Kind == SelectionKind.LogitLens)))
                throw Error(source, "\"ranking\" needs \"capture_prompts\" (to rank by capturing) or ranking files \"somp\" / \"logit_lens\" for every ranked selection");
            foreach (var (field, file) in new[] { ("somp", sompFile), ("logit_lens", lensFile) })
                if (file != null && !File.Exists(file)) throw Error(source, $"\"ranking.{field}\": ranking file {file} not found");
        }

        // grid
        var k = IntArray(root, "k", source, required: ranked) ?? [];
        foreach (int x in k)
            if (x <= 0) throw Error(source, $"\"k\" values must be positive, got {x}");
        var alphas = FloatArray(root, "alphas", source);
        var (policy, spanStart, spanEnd) = Policy(root, source);
        int draws = Int(root, "random_draws", RandomHeadSets.DefaultDraws, source, "");
        if (draws <= 0) throw Error(source, $"\"random_draws\" must be positive, got {draws}");

        // metrics
        var metrics = StringArray(root, "metrics", source);
        if (metrics.Length == 0) throw Error(source, "\"metrics\" is empty");
        if (policy == PositionPolicy.Image && !imageTask) throw Error(source, "\"policy\" image needs an image task (\"dataset.format\": image_classification or image_captions)");
        foreach (var m in metrics)
        {
            if (!MetricNames.Known.Contains(m)) throw Error(source, $"\"metrics\": unknown metric '{m}' (known: {string.Join(", ", MetricNames.Known)})");
            if (m == MetricNames.ConceptMass && policy is not (PositionPolicy.All or PositionPolicy.Prompt or PositionPolicy.Generated))
                throw Error(source, "\"metrics\": concept_mass supports the policies all, prompt and generated");
            if (m is MetricNames.QaExactMatch or MetricNames.QaF1 && format is not (DatasetFormat.TriviaQa or DatasetFormat.Questions))
                throw Error(source, $"\"metrics\": '{m}' needs a question dataset (\"dataset.format\": \"triviaqa\" or \"questions\")");
            if (m == MetricNames.Accuracy && format != DatasetFormat.ImageClassification)
                throw Error(source, "\"metrics\": accuracy needs an image_classification dataset");
            if (m == MetricNames.CiderD && format != DatasetFormat.ImageCaptions)
                throw Error(source, "\"metrics\": cider_d needs an image_captions dataset");
            if (imageTask && m is not (MetricNames.ConceptFrequency or MetricNames.Toxicity or MetricNames.Accuracy or MetricNames.CiderD))
                throw Error(source, $"\"metrics\": '{m}' is not available for image tasks (concept_frequency, toxicity, accuracy, cider_d are)");
        }
        string? toxicity = null;
        if (metrics.Contains(MetricNames.Toxicity))
        {
            toxicity = OptionalString(root, "toxicity_words", source, "") ?? "toxicity";
            if (!ConceptLists.BuiltinNames.Contains(toxicity))
                toxicity = File.Exists(Resolve(toxicity)) ? Resolve(toxicity)
                    : throw Error(source, $"\"toxicity_words\" '{toxicity}' is neither a built-in list nor a word-list file");
        }

        var classifier = ToxicityClassifier(root, metrics, source, folder);
        var reported = metrics.SelectMany(m => MetricNames.Reported(m, classifier != null)).ToArray();
        var plotMetrics = root.TryGetProperty("plot_metrics", out _) ? StringArray(root, "plot_metrics", source) : reported;
        foreach (var m in plotMetrics)
            if (!reported.Contains(m)) throw Error(source, $"\"plot_metrics\": '{m}' is not reported (reported: {string.Join(", ", reported)})");

        int batch = Int(root, "batch", 32, source, "");
        if (batch <= 0) throw Error(source, $"\"batch\" must be positive, got {batch}");
        string name = OptionalString(root, "name", source, "") ?? Path.GetFileNameWithoutExtension(source);
        string report = Resolve(OptionalString(root, "report", source, "") ?? name);

        return new ExperimentSpec
        {
            Name = name, Model = model,
            DatasetFormat = format, DatasetSource = data.Source, DatasetHalf = data.Half, Samples = prompts, Golds = golds, Concept = concept,
            ConceptTokens = conceptTokens, CaptureSource = capture, CapturePrompts = capturePrompts, CapturePositions = positions, CaptureHalf = captureHalf,
            ExcludePrefix = excludePrefix, ExcludeSuffix = excludeSuffix, SompRankingPath = sompFile, LogitLensRankingPath = lensFile,
            K = k, Alphas = alphas, Policy = policy, SpanStart = spanStart, SpanEnd = spanEnd, Selections = selections,
            RandomDraws = draws, Decoding = Decoding(root, source), Seed = Int(root, "seed", 0, source, ""), Metrics = metrics,
            ToxicityWords = toxicity, ToxicityClassifier = classifier, Batch = batch, ReportStem = report, PlotMetrics = plotMetrics,
            Images = !imageTask ? null : new ImageTaskSpec
            {
                Images = images, Classes = classes, PromptText = promptText, PromptIds = promptIds, CaptureImages = captureImages, ConceptIds = conceptIds,
            },
            Fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))),
        };
    }

    /// <summary>"toxicity_classifier" (only beside the "toxicity" metric): a model, and the label and threshold with their defaults.</summary>
    static ToxicityClassifierSpec? ToxicityClassifier(JsonElement root, string[] metrics, string source, string folder)
    {
        if (!root.TryGetProperty("toxicity_classifier", out var v)) return null;
        if (!metrics.Contains(MetricNames.Toxicity)) throw Error(source, "\"toxicity_classifier\" scores the \"toxicity\" metric, which \"metrics\" does not ask for");
        if (v.ValueKind != JsonValueKind.Object) throw Error(source, "\"toxicity_classifier\" must be an object {\"model\": ..., \"label\": ..., \"threshold\": ...}");
        const string prefix = "toxicity_classifier.";
        Unknown(v, ["model", "label", "threshold"], source, prefix);
        double threshold = Number(v, "threshold", ToxicityClassifierSpec.DefaultThreshold, source, prefix);
        if (!(threshold >= 0 && threshold < 1)) throw Error(source, $"\"{prefix}threshold\" must be a probability in [0, 1), got {threshold}");
        return new ToxicityClassifierSpec(ModelPath(RequiredString(v, "model", source, prefix), folder),
                                          OptionalString(v, "label", source, prefix) ?? ToxicityClassifierSpec.DefaultLabel, threshold);
    }

    /// <summary>A relative path that exists as a folder is resolved; anything else is taken as a hub id.</summary>
    static string ModelPath(string model, string folder)
    {
        string local = Path.GetFullPath(Path.Combine(folder, model));
        return Directory.Exists(local) ? local : model;
    }

    static SelectionSpec[] Selections(JsonElement root, string source)
    {
        if (!root.TryGetProperty("selections", out var v) || v.ValueKind != JsonValueKind.Array || v.GetArrayLength() == 0)
            throw Error(source, "\"selections\" must be a non-empty array (somp, logit_lens, random, or {\"name\": ..., \"heads\": [...]})");
        var list = new List<SelectionSpec>();
        int i = 0;
        foreach (var s in v.EnumerateArray())
        {
            string where = $"selections[{i++}]";
            if (s.ValueKind == JsonValueKind.String)
            {
                list.Add(s.GetString() switch
                {
                    SelectionSpec.Somp => new SelectionSpec(SelectionSpec.Somp, SelectionKind.Somp, []),
                    SelectionSpec.LogitLens => new SelectionSpec(SelectionSpec.LogitLens, SelectionKind.LogitLens, []),
                    SelectionSpec.Random => new SelectionSpec(SelectionSpec.Random, SelectionKind.Random, []),
                    var x => throw Error(source, $"\"{where}\" '{x}' is not one of somp, logit_lens, random (or an object with \"name\" and \"heads\")"),
                });
                continue;
            }
            if (s.ValueKind != JsonValueKind.Object) throw Error(source, $"\"{where}\" must be a string or an object");
            Unknown(s, ["name", "heads"], source, where + ".");
            string name = RequiredString(s, "name", source, where + ".");
            var heads = StringArray(s, "heads", source, where + ".").Select(h =>
            {
                try { return HeadId.Parse(h); }
                catch (FormatException e) { throw Error(source, $"\"{where}.heads\": {e.Message}"); }
            }).ToArray();
            if (heads.Length == 0) throw Error(source, $"\"{where}.heads\" is empty");
            list.Add(new SelectionSpec(name, SelectionKind.Explicit, heads));
        }
        var dup = list.GroupBy(s => s.Name).FirstOrDefault(g => g.Count() > 1);
        if (dup != null) throw Error(source, $"\"selections\": '{dup.Key}' appears twice");
        return [.. list];
    }

    static (PositionPolicy, int, int) Policy(JsonElement root, string source)
    {
        if (!root.TryGetProperty("policy", out var v)) return (PositionPolicy.All, 0, 0);
        if (v.ValueKind == JsonValueKind.String)
            return PositionPolicyNames.Parse(v.GetString()!) is { } named ? (named, 0, 0)
                : throw Error(source, $"\"policy\" '{v.GetString()}' is not one of {string.Join(", ", PositionPolicyNames.Named)}, {{\"span\": [start, end]}}");
        if (v.ValueKind == JsonValueKind.Object && v.TryGetProperty("span", out var span) && span.ValueKind == JsonValueKind.Array
            && span.GetArrayLength() == 2 && span.EnumerateArray().All(x => x.ValueKind == JsonValueKind.Number && x.TryGetInt32(out _)))
        {
            int start = span[0].GetInt32(), end = span[1].GetInt32();
            if (start < 0 || end <= start) throw Error(source, $"\"policy.span\" [{start}, {end}] must satisfy 0 <= start < end");
            return (PositionPolicy.Span, start, end);
        }
        throw Error(source, "\"policy\" must be all, prompt, generated, image or {\"span\": [start, end]}");
    }

    /// <summary>An image task's prompt: "prompt" text with one &lt;image&gt; ({classes} filled in), or "prompt_ids"; (null, null) for text tasks.</summary>
    static (string?, int[]?) ImagePrompt(JsonElement root, DatasetFormat format, string[] classes, string source)
    {
        string? text = OptionalString(root, "prompt", source, "");
        int[]? ids = IntArray(root, "prompt_ids", source, required: false);
        if (format is not (DatasetFormat.ImageClassification or DatasetFormat.ImageCaptions))
            return text == null && ids == null ? (null, null) : throw Error(source, "\"prompt\" / \"prompt_ids\" are for image tasks (a text dataset gives its prompts)");
        if (text != null && ids != null) throw Error(source, "give \"prompt\" or \"prompt_ids\", not both");
        if (ids != null) return ids.Any(id => id < 0) ? throw Error(source, "\"prompt_ids\" must be token ids (>= 0)") : (null, ids);
        text ??= format == DatasetFormat.ImageClassification ? ImageTaskSpec.DefaultClassificationPrompt : ImageTaskSpec.DefaultCaptioningPrompt;
        int placeholders = text.Split(ImageTaskSpec.Placeholder).Length - 1;
        if (placeholders != 1) throw Error(source, $"\"prompt\" must hold {ImageTaskSpec.Placeholder} exactly once (it holds it {placeholders} times)");
        return (text.Replace(ImageTaskSpec.ClassesPlaceholder, string.Join(", ", classes)), null);
    }

    /// <summary>
    /// "ranking.capture_prompts": a prompt file (PromptLines; "capture_half" keeps one half), or a dataset object as
    /// "dataset" takes (<see cref="DatasetSection"/>; its own "half" and "limit"), whose prompts are captured.
    /// Returns (where they come from, the prompts), or (null, null) when absent.
    /// </summary>
    static (string?, string[]?) CapturePrompts(JsonElement ranking, int? half, string source, Func<string, string> resolve, IProgress<DownloadProgress>? downloads)
    {
        if (!ranking.TryGetProperty("capture_prompts", out var v)) return (null, null);
        if (v.ValueKind == JsonValueKind.Object)
        {
            if (half != null) throw Error(source, "\"ranking.capture_half\" is for a prompt file: a dataset object takes its own \"half\"");
            var data = DatasetSection.Read(v, source, "ranking.capture_prompts.", resolve, downloads);
            if (data.Images.Length > 0) throw Error(source, "\"ranking.capture_prompts\" must be a text dataset (image tasks capture \"ranking.capture_images\")");
            return (data.Source, data.Prompts);
        }
        string path = resolve(RequiredString(ranking, "capture_prompts", source, "ranking."));
        try
        {
            var prompts = PromptLines.Read(path);
            return (path, half is { } h ? PairedHalves.Take(prompts, h) : prompts);
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException) { throw Error(source, $"\"ranking.capture_prompts\": {e.Message}"); }
    }

    /// <summary>An image task's "ranking": optional; "capture_images" (a folder or one image, default: the dataset's images) or ranking files.</summary>
    static (ImageInput[], string?, string?) ImageRanking(JsonElement root, ImageInput[] datasetImages, string source, Func<string, string> resolve)
    {
        if (!root.TryGetProperty("ranking", out _)) return (datasetImages, null, null);
        var ranking = Object(root, "ranking", source);
        Unknown(ranking, ["capture_images", "somp", "logit_lens"], source, "ranking.");
        string? somp = OptionalString(ranking, "somp", source, "ranking.") is { } s ? resolve(s) : null;
        string? lens = OptionalString(ranking, "logit_lens", source, "ranking.") is { } l ? resolve(l) : null;
        foreach (var (field, file) in new[] { ("somp", somp), ("logit_lens", lens) })
            if (file != null && !File.Exists(file)) throw Error(source, $"\"ranking.{field}\": ranking file {file} not found");
        if (OptionalString(ranking, "capture_images", source, "ranking.") is not { } c) return (datasetImages, somp, lens);
        string path = resolve(c);
        try
        {
            if (Directory.Exists(path)) return ([.. ImageFiles.InFolder(path).Select(ImageInput.FromFile)], somp, lens);
            ImageFiles.Check(path);
            return ([ImageInput.FromFile(path)], somp, lens);
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException or DirectoryNotFoundException)
        {
            throw Error(source, $"\"ranking.capture_images\": {e.Message}");
        }
    }

    static SamplingOptions Decoding(JsonElement root, string source)
    {
        if (!root.TryGetProperty("decoding", out var d)) return new SamplingOptions();
        if (d.ValueKind != JsonValueKind.Object) throw Error(source, "\"decoding\" must be an object");
        Unknown(d, ["max_new_tokens", "temperature", "top_k", "top_p", "seed"], source, "decoding.");
        var options = new SamplingOptions
        {
            MaxNewTokens = Int(d, "max_new_tokens", 64, source, "decoding."),
            Temperature = (float)Number(d, "temperature", 0, source, "decoding."),
            TopK = Int(d, "top_k", 0, source, "decoding."),
            TopP = (float)Number(d, "top_p", 1, source, "decoding."),
            Seed = Int(d, "seed", 0, source, "decoding."),
        };
        try { options.Validate(); }
        catch (ArgumentException e) { throw Error(source, $"\"decoding\": {e.Message}"); }
        if (options.MaxNewTokens == 0) throw Error(source, "\"decoding.max_new_tokens\" must be positive");
        return options;
    }

}

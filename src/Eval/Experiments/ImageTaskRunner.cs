using System.Globalization;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Generation;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.Tokenizers;
using HeadPursuit.Runtime.Vision;
using HeadPursuit.Somp;

namespace HeadPursuit.Eval.Experiments;

/// <summary>
/// Runs an image experiment (<see cref="ExperimentSpec.Images"/>) on a vision-language model, as <see cref="ExperimentRunner"/>
/// runs a text one: ranks the heads on image-pooled captures (the mean of each head's z over the image tokens) or
/// reads ranking files, then generates greedily for every cell of the grid, scores it and stores it as it ends.
/// Images are decoded and run through the vision tower batch by batch in every cell, so memory holds one batch of
/// image features whatever the dataset's size.
/// </summary>
/// <param name="tokenizer">The model's tokenizer, or null: prompts are then "prompt_ids" and texts the generated ids.</param>
public sealed class ImageTaskRunner(ExperimentSpec spec, VisionLanguageModel vlm, Tokenizer? tokenizer)
{
    readonly ImageTaskSpec _task = spec.Images ?? throw new ArgumentException($"{spec.Name} is not an image experiment");

    /// <summary>Called with (stage, done, total) as work advances.</summary>
    public Action<string, int, int>? Progress { get; init; }
    /// <summary>Where the SOMP ranking runs (the CPU when not set).</summary>
    public ISompSolver? Solver { get; init; }
    /// <summary>The loaded model of the experiment's "toxicity_classifier" (needed when it has one).</summary>
    public SequenceClassifier? ToxicityClassifier { get; init; }

    public ExperimentReport Run()
    {
        var c = vlm.Text.Config;
        spec.CheckAgainst(c, spec.Name);
        var concept = Concept();
        var toxic = spec.ToxicityWords == null ? null : ConceptLists.Load(spec.ToxicityWords, Encode).Words;
        var metrics = CellMetrics.For(spec, vlm.Text, concept.Words, concept.TokenIds, toxic, ToxicityClassifier);
        int[] prompt = PromptIds();
        var (somp, lens) = Rankings(concept, prompt);
        var cells = CellPlan.Grid(spec, somp, lens, c.Layers, c.Heads);
        var store = new ResultsStore(spec.ReportStem + ".cells.jsonl", spec.Fingerprint);
        var prompts = _task.Images.Select(_ => prompt).ToArray();
        var decoding = spec.Decoding.StopTokens.Length > 0 ? spec.Decoding : spec.Decoding with { StopTokens = c.EosIds };

        var results = CellLoop.Run(cells, store, Progress, cell =>
        {
            var scales = cell.Scales(spec, vlm.Text.Config.Layers, vlm.Text.Config.Heads);
            var newTokens = Generate(prompt, decoding, scales);
            var texts = newTokens.Select(Text).ToArray();
            return new CellResult(cell.Key, cell.Selection, cell.K, cell.Draw, cell.Alpha, [.. cell.Heads.Select(h => h.ToString())],
                                  metrics.Compute(prompts, newTokens, texts, scales), texts);
        });
        return new ExperimentReport(spec, somp, lens, results);
    }

    int[] Encode(string text) => tokenizer?.Encode(text)
        ?? throw new ArgumentException($"{spec.Model} has no tokenizer.json: give the concept as \"concept_ids\" and the toxicity words are unavailable");

    /// <summary>A generation as text: decoded, or without a tokenizer its ids joined by spaces (what class names and concept ids match).</summary>
    string Text(int[] ids) => tokenizer?.Decode(ids, skipSpecialTokens: true)
        ?? string.Join(' ', ids.Select(id => id.ToString(CultureInfo.InvariantCulture)));

    ConceptDictionary Concept()
    {
        if (_task.ConceptIds is not { } ids) return ConceptSource.Load(spec.Concept, spec.ConceptTokens, spec.Model, Encode);
        if (tokenizer != null && spec.Metrics.Contains(MetricNames.ConceptFrequency))
            throw new ArgumentException($"{spec.Name}: concept_frequency with \"concept_ids\" counts ids in generated ids, but {spec.Model} has a tokenizer: give the concept as words");
        return ConceptSource.FromIds(spec.Concept, ids, vlm.Text.Config.Vocab);
    }

    /// <summary>
    /// The prompt's ids with the image token once (expanded per image when it is prepared): text is encoded before the
    /// image placeholder with the special tokens (BOS) and after it without, as the processors do; "prompt_ids" hold
    /// the image token once.
    /// </summary>
    int[] PromptIds()
    {
        int imageToken = vlm.ImageTokenId;
        if (_task.PromptIds is { } ids)
        {
            int count = ids.Count(t => t == imageToken);
            if (count != 1) throw new ArgumentException($"{spec.Name}: \"prompt_ids\" must hold the image token {imageToken} exactly once (they hold it {count} times)");
            return ids;
        }
        var tok = tokenizer ?? throw new ArgumentException($"{spec.Name}: {spec.Model} has no tokenizer.json, so \"prompt\" text cannot be encoded: give \"prompt_ids\"");
        return vlm.Encode(tok, _task.PromptText!, images: 1);
    }

    PreparedImage Prepared(Data.ImageInput image) => vlm.Preprocess(image.Decode(), image.Name);

    int[][] Generate(int[] prompt, SamplingOptions decoding, HeadScales? scales)
    {
        var images = _task.Images;
        var result = new List<int[]>(images.Length);
        for (int start = 0; start < images.Length; start += spec.Batch)
        {
            var batch = images[start..Math.Min(images.Length, start + spec.Batch)].Select(f => vlm.Prepare(prompt, [Prepared(f)])).ToArray();
            result.AddRange(vlm.Generate(batch, decoding, scales).NewTokens);
        }
        return [.. result];
    }

    (HeadRanking? Somp, HeadRanking? Lens) Rankings(ConceptDictionary concept, int[] prompt)
    {
        bool needSomp = spec.Selections.Any(s => s.Kind is SelectionKind.Somp or SelectionKind.Random);
        bool needLens = spec.Selections.Any(s => s.Kind == SelectionKind.LogitLens);
        if (!needSomp && !needLens) return (null, null);
        bool capture = needSomp && spec.SompRankingPath == null || needLens && spec.LogitLensRankingPath == null;
        HeadScorer? scorer = capture ? Scorer(prompt) : null;
        var somp = !needSomp ? null : spec.SompRankingPath != null ? HeadRankingJson.Read(spec.SompRankingPath) : scorer!.Rank(concept.Name, concept.TokenIds);
        var lens = !needLens ? null : spec.LogitLensRankingPath != null ? HeadRankingJson.Read(spec.LogitLensRankingPath) : scorer!.LogitLens(concept.Name, concept.TokenIds);
        var c = vlm.Text.Config;
        foreach (var r in new[] { somp, lens })
            if (r != null && (r.Layers != c.Layers || r.Heads != c.Heads))
                throw new ArgumentException($"a {r.Method} ranking of {r.Layers} x {r.Heads} heads does not fit the model's {c.Layers} x {c.Heads}");
        return (somp, lens);
    }

    /// <summary>SOMP over the capture images' head outputs, each pooled over its image tokens (z_image_mean).</summary>
    HeadScorer Scorer(int[] prompt)
    {
        var images = _task.CaptureImages;
        var acts = vlm.CaptureImages(images.Select(_ => prompt).ToArray(), i => [Prepared(images[i])], spec.Batch,
                                       progress: (d, n) => Progress?.Invoke("capture", d, n));
        var readout = ModelReadout.From(vlm.Text);
        return new HeadScorer(acts, readout.Blocks, readout.Unembedding, new SompOptions(), solver: Solver);
    }
}

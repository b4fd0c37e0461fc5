using System.CommandLine;
using HeadPursuit.Eval.Experiments;
using HeadPursuit.Eval.Plots;
using HeadPursuit.Runtime.Files;
using HeadPursuit.Somp;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Runtime.Vision;

namespace HeadPursuit.Cli.Commands;

/// <summary>`headpursuit eval EXPERIMENT.json`: an intervention experiment with controls, resumable, reported as JSON + Markdown.</summary>
sealed class EvalCommand : HeadPursuitCommand
{
    readonly Argument<string> _experiment = new("EXPERIMENT.json") { Description = "the experiment file" };
    readonly Option<int> _examples = Opt.Int("--examples", "N", "prompts shown with their generations in the Markdown report", 6, min: 0);
    readonly BackendOptions _backend = new();

    public EvalCommand(StatusOutput status)
        : base("eval", "run an intervention experiment file (SOMP vs logit-lens vs random heads), resumable; JSON + Markdown report", status)
    {
        Arguments.Add(_experiment);
        AddOptions([_examples, .. _backend.All]);
    }

    public override string Notes => """
        The experiment file names the model, dataset, concept, k values, alphas, position policy, head selections,
        decoding, seed, metrics and report path (layout: src/Eval/Experiments/ExperimentFile.cs; example:
        experiments/stories260k-colours.json; image classification / captioning on a LLaVA model:
        experiments/llava-tiny-images.json). It is checked in full before the model is loaded. Finished cells are kept
        in REPORT.cells.jsonl; rerunning the same file continues from there. Also writes REPORT.alpha=A.svg (metrics
        against k) and the layer x head heatmaps REPORT.somp.svg / REPORT.logit_lens.svg of the rankings used.
        A "toxicity_classifier" (e.g. s-nlp/roberta_toxicity_classifier, a folder or hub id) also scores the "toxicity"
        metric: the share of generations whose toxic probability exceeds its threshold, and the mean probability.
        """;

    protected override int Run(ParseResult parse)
    {
        string path = parse.GetValue(_experiment)!;
        int examples = parse.GetValue(_examples);
        ExperimentSpec spec;
        using (var downloads = Status.Downloads()) spec = ExperimentFile.Load(path, downloads);
        using var claim = OutputClaim.Take("\"report\"", spec.ReportFiles(),
            [new InputFile("the experiment file", path), .. spec.InputFiles().Select(f => new InputFile($"the experiment's \"{f.Field}\"", f.Path)),
             .. InputFile.OfModel(spec.Model)]);
        string localConfig = Path.Combine(spec.Model, "config.json");
        if (File.Exists(localConfig))
            spec.CheckAgainst(spec.Images != null ? VisionLanguageModel.TextConfig(spec.Model) : ModelConfig.Load(localConfig), path);

        using var backend = _backend.Create(parse, Status);
        using var classifier = spec.ToxicityClassifier is { } tc ? Classifier(tc, path, backend, Status) : null;
        using var loaded = ModelArgument.Load(spec.Model, backend, Status);
        spec.CheckAgainst(loaded.Model.Config, path);
        var solver = CommonOptions.SompSolver(backend, Status);
        var progress = new Dictionary<string, ProgressLine>();
        void Progress(string stage, int done, int total)
        {
            if (!progress.TryGetValue(stage, out var p)) progress[stage] = p = Status.Progress(stage, ProgressUnit.Of(stage == "capture" ? "samples" : "cells"));
            p.Report(done, total);
        }
        ExperimentTask task = spec.Images != null
            ? new ImageTask(spec, loaded.RequireVlm($"{path}: the image task (\"dataset.format\": {spec.DatasetFormat})"), loaded.Tokenizer)
            : new TextTask(spec, loaded.Model, loaded.RequireTokenizer());
        var report = new ExperimentRunner(spec, task) { Progress = Progress, Solver = solver, ToxicityClassifier = classifier }.Run();
        AtomicFile.WriteText(spec.ReportStem + ".json", report.ToJson());
        AtomicFile.WriteText(spec.ReportStem + ".md", report.ToMarkdown(examples));
        foreach (var (alpha, svg) in ExperimentPlots.Write(report)) AtomicFile.WriteText(spec.PlotFile(alpha), svg);
        if (report.Somp != null) AtomicFile.WriteText(spec.ReportStem + ".somp.svg", HeatmapSvg.Write(report.Somp));
        if (report.LogitLens != null) AtomicFile.WriteText(spec.ReportStem + ".logit_lens.svg", HeatmapSvg.Write(report.LogitLens));
        Status.Note($"wrote {spec.ReportStem}.json and {spec.ReportStem}.md ({report.Cells.Count} cells; finished cells kept in {spec.ReportStem}.cells.jsonl)");
        return ExitCode.Ok;
    }

    /// <summary>The experiment's toxicity classifier, loaded before the model so that a wrong label fails at once.</summary>
    static SequenceClassifier Classifier(ToxicityClassifierSpec spec, string path, Runtime.Backends.IBackend backend, StatusOutput status)
    {
        var classifier = ModelArgument.LoadClassifier(spec.Model, backend, status);
        try { classifier.LabelIndex(spec.Label); }
        catch (ArgumentException e)
        {
            classifier.Dispose();
            throw new ArgumentException($"{path}: \"toxicity_classifier.label\": {e.Message}");
        }
        return classifier;
    }
}

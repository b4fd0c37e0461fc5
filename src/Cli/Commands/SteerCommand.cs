using HeadPursuit.Eval.Data;
using System.CommandLine;
using System.Globalization;
using HeadPursuit.Somp;
using HeadPursuit.Eval.Steering;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Files;
using HeadPursuit.Runtime.Generation;

namespace HeadPursuit.Cli.Commands;

/// <summary>`headpursuit steer`: generate for a prompt set (or image set, for a LLaVA model) with a head set scaled, side by side with the unmodified model.</summary>
sealed class SteerCommand : HeadPursuitCommand
{
    readonly Option<string?> _model = CommonOptions.Model("default: the built-in TinyWorld GPT-2, with its 300 story openings when no prompt is given");
    readonly Option<string?> _prompt = Opt.Text("--prompt", "TEXT",
        $"one prompt; with --images, the prompt of samples that give none (holding the placeholder {ImagePrompts.Placeholder})");
    readonly Option<string?> _promptFile = Opt.Text("--prompt-file", "FILE", "one prompt per line (.txt) or JSON lines with a \"prompt\" or \"text\" field (.jsonl)");
    readonly Option<string?> _images = Opt.Text("--images", "PATH",
        "for a vision-language model (LLaVA): a folder of images, one image, or JSON lines with an \"image\" path and an optional \"prompt\" (as for capture)");
    readonly Option<int[]?> _ids = Opt.Ints("--ids", "LIST", "with --images: the prompt as token ids, holding the image token id once", min: 0);
    readonly Option<HeadId[]?> _heads = Opt.Parsed<HeadId[]?>("--heads", "L3H5,...", "the heads to scale", HeadList.Parse);
    readonly Option<string?> _ranking = Opt.Text("--ranking", "FILE", "or a ranking JSON written by `headpursuit rank` (CONCEPT.somp.json), whose --top K best heads are scaled");
    readonly Option<int?> _top = Opt.OptionalInt("--top", "K", "with --ranking: how many of its best heads to scale", min: 1);
    readonly Option<float> _alpha = Opt.Parsed("--alpha", "A", $"the scale of every chosen head: -1 suppresses, 5 enhances, 0 ablates (within ±{HeadScaleList.Limit:0e0})",
        text => HeadScaleList.Alpha("--alpha", text)).WithDefault(-1f);
    readonly Option<string> _policy = Opt.Parsed("--policy", "P",
        "the positions where the heads are scaled: all, prompt, generated, image (the image tokens; needs --images), or span:START:END " +
        "(prompt positions START..END-1, BOS = 0)", text => { ParsePolicy(text); return text; }).WithDefault("all");
    readonly DecodingOptions _decoding = new(defaultMaxNewTokens: 48);
    readonly Option<bool> _json = Opt.Flag("--json", "JSON instead of a Markdown table");
    readonly Option<string?> _out = Opt.Text("--out", "FILE", "write the table (or JSON) to FILE instead of standard output");
    readonly Option<string> _encodingErrors = CommonOptions.EncodingErrorsOption();
    readonly BackendOptions _backend = new();

    public SteerCommand(StatusOutput status)
        : base("steer", "generate with a head set scaled (explicit heads or a ranking's top-k) beside the unmodified model", status)
    {
        AddOptions([_model, _prompt, _promptFile, _images, _ids, _heads, _ranking, _top, _alpha, _policy, .. _decoding.All, _json, _out, _encodingErrors, .. _backend.All]);
    }

    protected override int Run(ParseResult parse)
    {
        string? model = parse.GetValue(_model);
        string? prompt = parse.GetValue(_prompt), promptFile = parse.GetValue(_promptFile), imagesPath = parse.GetValue(_images);
        int[]? ids = parse.Given(_ids);
        var headList = parse.Given(_heads);
        string? rankingPath = parse.GetValue(_ranking);
        int? top = parse.GetValue(_top);
        float alpha = parse.GetValue(_alpha);
        string policyText = parse.GetValue(_policy)!;
        var options = _decoding.Read(parse);
        bool json = parse.GetValue(_json);
        string? outPath = parse.GetValue(_out);
        if (imagesPath != null && promptFile != null) throw new ArgumentException("--images reads its prompts from the images file or --prompt/--ids, not --prompt-file");
        if (imagesPath == null && ids != null) throw new ArgumentException("--ids gives the prompt of --images samples");
        if (imagesPath == null && policyText == "image") throw new ArgumentException("--policy image scales heads at image tokens: it needs --images");
        if (imagesPath != null && prompt != null && ids != null) throw new ArgumentException("give at most one of --prompt, --ids");
        if (prompt != null && promptFile != null) throw new ArgumentException("give at most one of --prompt, --prompt-file");
        bool noInput = prompt == null && promptFile == null && imagesPath == null;
        if (noInput && model != null) throw new ArgumentException($"give --prompt, --prompt-file or --images for {model}");
        string? defaultPrompts = noInput ? BuiltinModel.StoryPrompts : null;
        promptFile ??= defaultPrompts;
        if ((headList != null) == (rankingPath != null)) throw new ArgumentException("give exactly one of --heads, --ranking");
        if (rankingPath != null && top == null) throw new ArgumentException("--ranking needs --top K with K > 0");
        if (rankingPath == null && top != null) throw new ArgumentException("--top K takes the best heads of --ranking: give --ranking FILE");
        using var claim = outPath == null ? null : OutputClaim.Take("--out", [outPath],
            [.. InputFile.Of("--prompt-file", promptFile), .. InputFile.Of("--ranking", rankingPath), .. InputFile.Of("--images", imagesPath), .. InputFile.OfModel(model)]);
        var samples = imagesPath == null ? null : ImageSamples.Read(imagesPath, ids != null ? null : prompt ?? ImagePrompts.DefaultText, ids);
        var texts = samples != null ? [.. samples.Select(s => s.Label)] : promptFile != null ? PromptLines.Read(promptFile, CommonOptions.EncodingErrors(parse, _encodingErrors)) : [prompt!];
        var heads = headList ?? HeadRankingJson.Read(rankingPath!).Top(top!.Value).ToArray();
        using var backend = _backend.Create(parse, Status);

        string modelName = BuiltinModel.Or(model, Status, defaultPrompts);
        using var loaded = ModelArgument.Load(modelName, backend, Status);
        var c = loaded.Model.Config;
        var (policy, start, end) = ParsePolicy(policyText);
        var scales = new HeadScales(c.Layers, c.Heads) { Policy = policy, SpanStart = start, SpanEnd = end };
        foreach (var h in heads) scales[h.Layer, h.Head] = alpha;   // throws naming the head when out of range
        options = options with { StopTokens = c.EosIds };

        Func<HeadScales?, GenerationResult> generate;
        if (samples != null)
        {
            var vlm = loaded.RequireVlm("--images");
            var imagePrompts = samples.Select(s => ImagePrompts.Prepare(vlm, loaded.Tokenizer, s)).ToArray();
            PromptFit.Check([.. imagePrompts.Select(p => p.Ids)], c, options.MaxNewTokens, i => $"the prompt of image {samples[i].ImagePath}");
            generate = s => vlm.Generate(imagePrompts, options, s);
        }
        else
        {
            var prompts = PromptEncoding.Encode(loaded.RequireTokenizer(), texts, chat: false, chatFamily: null);
            PromptFit.Check(prompts, c, options.MaxNewTokens, i => promptFile != null ? $"prompt {i + 1} of {promptFile}" : "--prompt");
            generate = s => new Generator(loaded.Model).Generate(prompts, options, s);
        }
        var tok = loaded.Tokenizer;   // only a model without one (token-id prompts) prints ids
        string[] Decode(GenerationResult r) => [.. r.NewTokens.Select(t => tok?.Decode(t, skipSpecialTokens: true) ?? string.Join(" ", t))];
        var unmodified = Decode(generate(null));
        var steered = Decode(generate(scales));
        var result = new SideBySide(modelName, scales.ToString(), policyText, texts, unmodified, steered);
        string text = json ? result.ToJson() : result.ToMarkdown();
        if (outPath != null) { AtomicFile.WriteText(outPath, text); Status.Note($"wrote {outPath}"); }
        else Console.WriteLine(text);
        return ExitCode.Ok;
    }

    static (PositionPolicy, int, int) ParsePolicy(string s)
    {
        if (PositionPolicyNames.Parse(s) is { } named) return (named, 0, 0);
        var parts = s.Split(':');
        if (parts.Length == 3 && parts[0] == "span" && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int start)
            && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out int end) && start >= 0 && end > start)
            return (PositionPolicy.Span, start, end);
        throw new ArgumentException($"--policy '{s}' is not one of all, prompt, generated, image, span:START:END (0 <= START < END)");
    }
}

using HeadPursuit.Eval.Steering;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Generation;
using HeadPursuit.Somp;

namespace HeadPursuit.Cli.Commands;

/// <summary>`headpursuit steer`: generate for a prompt set (or image set, for a LLaVA model) with a head set scaled, side by side with the unmodified model.</summary>
sealed class SteerCommand : ICommand
{
    public string Name => "steer";
    public string Summary => "generate with a head set scaled (explicit heads or a ranking's top-k) beside the unmodified model";
    public string Usage => $"""
        usage: headpursuit steer [--model MODEL] [--prompt TEXT | --prompt-file FILE | --images PATH] (--heads L3H5,... | --ranking FILE --top K) [options]

          --model MODEL         a local model folder or a hub id (default: the built-in TinyWorld GPT-2, with its 300 story
                                openings when no prompt is given)
          --prompt TEXT         one prompt; --prompt-file FILE: one prompt per line (.txt) or JSON lines (.jsonl)
          --images PATH         for a vision-language model (LLaVA): a folder of images, one image, or JSON lines with an
                                "image" path and an optional "prompt" (as for capture); --prompt TEXT (with the placeholder
                                {ImagePrompts.Placeholder}) or --ids LIST (with the image token id) is the prompt of samples that give none
          --heads LIST          heads to scale, e.g. L3H5,L1H0
          --ranking FILE        a ranking JSON written by `headpursuit rank` (CONCEPT.somp.json); --top K takes its K best heads
          --alpha A             the scale of every chosen head (default -1: suppress; 5 enhances, 0 ablates)
          --policy P            all (default), prompt, generated, image (the image tokens; needs --images), or
                                span:START:END (prompt positions START..END-1, BOS = 0)
          --max-new-tokens N    default 48; --temperature T (0 = greedy), --top-k K, --top-p P, --seed S
          --json                JSON instead of a Markdown table; --out FILE writes it to a file
        {CommonOptions.BackendUsage}
        """;

    public int Run(CommandLine args)
    {
        string? model = args.String("model");
        string? prompt = args.String("prompt"), promptFile = args.String("prompt-file"), imagesPath = args.String("images");
        var ids = args.Ints("ids");
        string? headList = args.String("heads"), rankingPath = args.String("ranking");
        int top = args.Int("top", 0);
        float alpha = args.Float("alpha", -1f);
        string policyText = args.String("policy") ?? "all";
        var options = new SamplingOptions
        {
            MaxNewTokens = args.Int("max-new-tokens", 48), Temperature = args.Float("temperature", 0f), TopK = args.Int("top-k", 0),
            TopP = args.Float("top-p", 1f), Seed = args.Int("seed", 0),
        };
        bool json = args.Flag("json");
        string? outPath = args.String("out");
        using var backend = CommonOptions.Backend(args);
        args.RejectUnknown();
        if (imagesPath != null && promptFile != null) throw new ArgumentException("--images reads its prompts from the images file or --prompt/--ids, not --prompt-file");
        if (imagesPath == null && ids.Length > 0) throw new ArgumentException("--ids gives the prompt of --images samples");
        if (imagesPath == null && policyText == "image") throw new ArgumentException("--policy image scales heads at image tokens: it needs --images");
        if (imagesPath != null && prompt != null && ids.Length > 0) throw new ArgumentException("give at most one of --prompt, --ids");
        if (prompt != null && promptFile != null) throw new ArgumentException("give at most one of --prompt, --prompt-file");
        bool noInput = prompt == null && promptFile == null && imagesPath == null;
        if (noInput && model != null) throw new ArgumentException($"give --prompt, --prompt-file or --images for {model}");
        string? defaultPrompts = noInput ? BuiltinModel.StoryPrompts : null;
        promptFile ??= defaultPrompts;
        if ((headList != null) == (rankingPath != null)) throw new ArgumentException("give exactly one of --heads, --ranking");
        if (rankingPath != null && top <= 0) throw new ArgumentException("--ranking needs --top K with K > 0");
        options.Validate();
        var samples = imagesPath == null ? null
            : ImageSamples.Read(imagesPath, ids.Length > 0 ? null : prompt ?? ImagePrompts.DefaultText, ids.Length > 0 ? ids : null);
        var texts = samples != null ? [.. samples.Select(s => s.Label)] : promptFile != null ? PromptFile.Read(promptFile) : [prompt!];
        var heads = headList != null ? HeadList.Parse(headList) : HeadRankingJson.Read(rankingPath!).Top(top).ToArray();

        string modelName = BuiltinModel.Or(model, defaultPrompts);
        using var loaded = LoadedModel.Load(modelName, backend);
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
            generate = s => vlm.Generate(imagePrompts, options, s);
        }
        else
        {
            var prompts = PromptEncoding.Encode(loaded.RequireTokenizer(), texts, chat: false, chatFamily: null);
            generate = s => new Generator(loaded.Model).Generate(prompts, options, s);
        }
        var tok = loaded.Tokenizer;   // only a model without one (token-id prompts) prints ids
        string[] Decode(GenerationResult r) => [.. r.NewTokens.Select(t => tok?.Decode(t, skipSpecialTokens: true) ?? string.Join(" ", t))];
        var unmodified = Decode(generate(null));
        var steered = Decode(generate(scales));
        var result = new SideBySide(modelName, scales.ToString(), policyText, texts, unmodified, steered);
        string text = json ? result.ToJson() : result.ToMarkdown();
        if (outPath != null) { File.WriteAllText(outPath, text); Console.Error.WriteLine($"wrote {outPath}"); }
        else Console.WriteLine(text);
        return 0;
    }

    static (PositionPolicy, int, int) ParsePolicy(string s)
    {
        switch (s)
        {
            case "all": return (PositionPolicy.All, 0, 0);
            case "prompt": return (PositionPolicy.Prompt, 0, 0);
            case "generated": return (PositionPolicy.Generated, 0, 0);
            case "image": return (PositionPolicy.Image, 0, 0);
        }
        var parts = s.Split(':');
        if (parts.Length == 3 && parts[0] == "span" && int.TryParse(parts[1], out int start) && int.TryParse(parts[2], out int end) && start >= 0 && end > start)
            return (PositionPolicy.Span, start, end);
        throw new ArgumentException($"--policy '{s}' is not one of all, prompt, generated, image, span:START:END (0 <= START < END)");
    }
}

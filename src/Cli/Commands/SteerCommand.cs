using HeadPursuit.Eval.Experiments;
using HeadPursuit.Eval.Steering;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Generation;
using HeadPursuit.Somp;

namespace HeadPursuit.Cli.Commands;

/// <summary>`headpursuit steer`: generate for a prompt set with a head set scaled, side by side with the unmodified model.</summary>
sealed class SteerCommand : ICommand
{
    public string Name => "steer";
    public string Summary => "generate with a head set scaled (explicit heads or a ranking's top-k) beside the unmodified model";
    public string Usage => $"""
        usage: headpursuit steer --model MODEL (--prompt TEXT | --prompt-file FILE) (--heads L3H5,... | --ranking FILE --top K) [options]

          --heads LIST          heads to scale, e.g. L3H5,L1H0
          --ranking FILE        a ranking JSON written by `headpursuit rank` (CONCEPT.somp.json); --top K takes its K best heads
          --alpha A             the scale of every chosen head (default -1: suppress; 5 enhances, 0 ablates)
          --policy P            all (default), prompt, generated, or span:START:END (prompt positions START..END-1, BOS = 0)
          --max-new-tokens N    default 48; --temperature T (0 = greedy), --top-k K, --top-p P, --seed S
          --json                JSON instead of a Markdown table; --out FILE writes it to a file
        {CommonOptions.BackendUsage}
        """;

    public int Run(CommandLine args)
    {
        string modelName = args.Required("model");
        string? prompt = args.String("prompt"), promptFile = args.String("prompt-file");
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
        var backend = CommonOptions.Backend(args);
        args.RejectUnknown();
        if ((prompt != null) == (promptFile != null)) throw new ArgumentException("give exactly one of --prompt, --prompt-file");
        if ((headList != null) == (rankingPath != null)) throw new ArgumentException("give exactly one of --heads, --ranking");
        if (rankingPath != null && top <= 0) throw new ArgumentException("--ranking needs --top K with K > 0");
        options.Validate();
        var texts = promptFile != null ? PromptFile.Read(promptFile) : [prompt!];
        var heads = headList != null ? ParseHeads(headList) : RankingFile.Read(rankingPath!).Top(top).ToArray();

        using var loaded = LoadedModel.Load(modelName, backend);
        var c = loaded.Model.Config;
        var (policy, start, end) = ParsePolicy(policyText);
        var scales = new HeadScales(c.Layers, c.Heads) { Policy = policy, SpanStart = start, SpanEnd = end };
        foreach (var h in heads) scales[h.Layer, h.Head] = alpha;   // throws naming the head when out of range
        var tok = loaded.RequireTokenizer();
        var prompts = PromptEncoding.Encode(tok, texts, chat: false, chatFamily: null);
        options = options with { StopTokens = c.EosIds };

        var generator = new Generator(loaded.Model);
        string[] Decode(GenerationResult r) => [.. r.NewTokens.Select(t => tok.Decode(t, skipSpecialTokens: true))];
        var unmodified = Decode(generator.Generate(prompts, options));
        var steered = Decode(generator.Generate(prompts, options, scales));
        var result = new SideBySide(modelName, scales.ToString(), policyText, texts, unmodified, steered);
        string text = json ? result.ToJson() : result.ToMarkdown();
        if (outPath != null) { File.WriteAllText(outPath, text); Console.Error.WriteLine($"wrote {outPath}"); }
        else Console.WriteLine(text);
        return 0;
    }

    static HeadId[] ParseHeads(string list) =>
        [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(h =>
        {
            try { return HeadId.Parse(h); }
            catch (FormatException e) { throw new ArgumentException($"--heads: {e.Message}"); }
        })];

    static (PositionPolicy, int, int) ParsePolicy(string s)
    {
        switch (s)
        {
            case "all": return (PositionPolicy.All, 0, 0);
            case "prompt": return (PositionPolicy.Prompt, 0, 0);
            case "generated": return (PositionPolicy.Generated, 0, 0);
        }
        var parts = s.Split(':');
        if (parts.Length == 3 && parts[0] == "span" && int.TryParse(parts[1], out int start) && int.TryParse(parts[2], out int end) && start >= 0 && end > start)
            return (PositionPolicy.Span, start, end);
        throw new ArgumentException($"--policy '{s}' is not one of all, prompt, generated, span:START:END (0 <= START < END)");
    }
}

using System.Text.Json;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Generation;
using HeadPursuit.Runtime.Tokenizers;
using HeadPursuit.Runtime.Vision;

namespace HeadPursuit.Cli.Commands;

/// <summary>`headpursuit generate`: text (or token ids), and an image for a LLaVA model, in; generated text out, optionally with heads scaled.</summary>
sealed class GenerateCommand : ICommand
{
    public string Name => "generate";
    public string Summary => "generate from a prompt, optionally with attention heads scaled";
    public string Usage => $"""
        usage: headpursuit generate [--model MODEL] [--prompt TEXT | --prompt-file FILE | --ids 1,2,3] [--image IMG] [options]

          --model MODEL         a local model folder, or a Hugging Face hub id (e.g. gpt2), downloaded into the HF cache
                                (default: the built-in TinyWorld GPT-2, with its 300 story openings when no prompt is given)
          --prompt TEXT         the prompt; --prompt-file FILE: one prompt per line, generated as one batch
          --ids LIST            prompt token ids instead of text, comma-separated
          --image IMG           a PNG or JPEG for a vision-language model (LLaVA); the prompt holds the placeholder
                                {ImagePrompts.Placeholder} once (--prompt; default "{ImagePrompts.DefaultText.Replace("\n", "\\n")}"), or
                                --ids hold the model's image token id once (expanded to one per image feature) or n_img times
          --chat [FAMILY]       wrap the prompt in the model's chat format (from tokenizer_config.json, or llama2, mistral,
                                llama3, chatml, gemma); off by default
          --max-new-tokens N    default 64
          --temperature T       0 = greedy (default); --top-k K, --top-p P, --seed S
          --stop LIST           stop token ids (default: the config's eos_token_id)
          --scale L3H5=-1,...   head scales (alpha per head; -1 suppresses, 5 enhances, 0 ablates)
          --policy all|prompt|generated|image   positions where scales apply (default all; image: the image tokens, needs --image)
          --json                print prompts, ids, text and timing as JSON
        {CommonOptions.BackendUsage}
        """;

    public int Run(CommandLine args)
    {
        string? model = args.String("model");
        string? prompt = args.String("prompt"), promptFile = args.String("prompt-file"), image = args.String("image");
        var ids = args.Ints("ids");
        bool chat = args.Flag("chat");
        string? chatFamily = args.String("chat");
        using var backend = CommonOptions.Backend(args);
        string? scaleText = args.String("scale");
        var policy = ParsePolicy(args.String("policy") ?? "all");
        var options = new SamplingOptions
        {
            MaxNewTokens = args.Int("max-new-tokens", 64), Temperature = args.Float("temperature", 0f), TopK = args.Int("top-k", 0),
            TopP = args.Float("top-p", 1f), Seed = args.Int("seed", 0), StopTokens = args.Ints("stop"),
        };
        bool json = args.Flag("json");
        args.RejectUnknown();
        if (image != null && promptFile != null) throw new ArgumentException("--image takes one prompt (--prompt or --ids), not --prompt-file");
        if (image != null && chat) throw new ArgumentException("--chat does not apply with --image: write the model's prompt format into --prompt");
        if (image == null && policy == PositionPolicy.Image) throw new ArgumentException("--policy image scales heads at image tokens: it needs --image");
        if (image != null && prompt == null && ids.Length == 0) prompt = ImagePrompts.DefaultText;
        string? defaultPrompts = model == null && prompt == null && promptFile == null && ids.Length == 0 ? BuiltinModel.StoryPrompts : null;
        promptFile ??= defaultPrompts;
        if ((prompt != null ? 1 : 0) + (promptFile != null ? 1 : 0) + (ids.Length > 0 ? 1 : 0) != 1)
            throw new ArgumentException("give exactly one of --prompt, --prompt-file, --ids");

        string modelName = BuiltinModel.Or(model, defaultPrompts);
        using var loaded = LoadedModel.Load(modelName, backend);
        var c = loaded.Model.Config;
        var texts = promptFile != null ? PromptFile.Read(promptFile) : prompt != null ? [prompt] : null;
        int[][] prompts;
        ImagePrompt? imagePrompt = null;
        int imageToken = -1;   // the id the vocabulary check skips (an image token may lie beyond the vocabulary)
        if (image != null)
        {
            var vlm = loaded.RequireVlm("--image");
            imagePrompt = ImagePrompts.Prepare(vlm, loaded.Tokenizer, new ImageSample(image, prompt, prompt == null ? ids : null));
            imageToken = vlm.ImageTokenId;
            prompts = [imagePrompt.Ids];
        }
        else if (texts != null)
        {
            var tok = loaded.RequireTokenizer();
            var format = !chat ? null : chatFamily != null ? ChatFormat.ByName(chatFamily) : ChatFormat.FromTokenizer(tok);
            // A chat format writes its BOS into the text; otherwise the tokenizer adds what the model expects.
            prompts = texts.Select(t => format != null ? tok.Encode(format.Format(t)) : tok.Encode(t, addSpecialTokens: true)).ToArray();
        }
        else prompts = [ids];
        for (int i = 0; i < prompts.Length; i++)
        {
            if (prompts[i].Length == 0) throw new ArgumentException($"prompt {i + 1} encodes to no tokens");
            foreach (int id in prompts[i])
                if ((uint)id >= c.Vocab && id != imageToken) throw new ArgumentException($"prompt {i + 1}: token id {id} is outside the vocabulary of {c.Vocab}");
        }
        var scales = scaleText == null ? null : HeadScales.Parse(scaleText, c.Layers, c.Heads, policy);
        if (options.StopTokens.Length == 0) options = options with { StopTokens = c.EosIds };

        var stream = !json && prompts.Length == 1 ? new TextStream(loaded.Tokenizer) : null;
        Action<int, int>? onToken = stream == null ? null : (_, t) => stream.Add(t);
        var result = imagePrompt != null
            ? loaded.Vlm!.Generate([imagePrompt], options, scales, onToken)
            : new Generator(loaded.Model).Generate(prompts, options, scales, onToken: onToken);
        string Decode(int[] t) => loaded.Tokenizer?.Decode(t) ?? string.Join(" ", t);
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                model = modelName, image, scales = scales?.ToString() ?? "", policy = policy.ToString().ToLowerInvariant(),
                results = prompts.Select((p, i) => new { prompt = texts?[i], prompt_ids = p, new_ids = result.NewTokens[i], text = Decode(result.NewTokens[i]) }),
                prefill_tokens_per_s = result.PrefillTokensPerSecond, decode_tokens_per_s = result.DecodeTokensPerSecond,
            }, new JsonSerializerOptions { WriteIndented = true }));
        }
        else
        {
            if (stream != null) Console.WriteLine();
            else for (int i = 0; i < prompts.Length; i++) Console.WriteLine($"[{i + 1}] {texts?[i]}{Decode(result.NewTokens[i])}");
            Console.Error.WriteLine($"[{backend.Name}] prefill {result.PromptTokens} tokens at {result.PrefillTokensPerSecond:0.0} tok/s, " +
                                    $"decode {result.DecodedTokens} tokens at {result.DecodeTokensPerSecond:0.0} tok/s");
        }
        return 0;
    }

    static PositionPolicy ParsePolicy(string s) => s switch
    {
        "all" => PositionPolicy.All,
        "prompt" => PositionPolicy.Prompt,
        "generated" => PositionPolicy.Generated,
        "image" => PositionPolicy.Image,
        _ => throw new ArgumentException($"--policy '{s}' is not one of all, prompt, generated, image"),
    };
}

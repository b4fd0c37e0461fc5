using HeadPursuit.Eval.Data;
using System.CommandLine;
using System.Text.Json;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Generation;
using HeadPursuit.Runtime.Tokenizers;
using HeadPursuit.Runtime.Vision;

namespace HeadPursuit.Cli.Commands;

/// <summary>`headpursuit generate`: text (or token ids), and an image for a LLaVA model, in; generated text out, optionally with heads scaled.</summary>
sealed class GenerateCommand : HeadPursuitCommand
{
    readonly Option<string?> _model = CommonOptions.Model("default: the built-in TinyWorld GPT-2, with its 300 story openings when no prompt is given");
    readonly Option<string?> _prompt = Opt.Text("--prompt", "TEXT", "one prompt, as text");
    readonly Option<string?> _promptFile = Opt.Text("--prompt-file", "FILE", "one prompt per line (.txt) or JSON lines with a \"prompt\" or \"text\" field (.jsonl), generated as one batch");
    readonly Option<int[]?> _ids = Opt.Ints("--ids", "LIST", "prompt token ids instead of text, comma-separated", min: 0);
    readonly Option<string?> _image = Opt.Text("--image", "IMG",
        $"a PNG or JPEG for a vision-language model (LLaVA); the prompt holds the placeholder {ImagePrompts.Placeholder} once " +
        $"(--prompt; default \"{ImagePrompts.DefaultText.Replace("\n", "\\n")}\"), or --ids hold the model's image token id once " +
        "(expanded to one per image feature) or n_img times");
    readonly Option<string?> _chat = Opt.TextOrAlone("--chat", "FAMILY",
        "wrap the prompt in the model's chat format (from tokenizer_config.json), or FAMILY's: llama2, mistral, llama3, chatml, gemma; off by default");
    readonly DecodingOptions _decoding = new(defaultMaxNewTokens: 64);
    readonly Option<int[]?> _stop = Opt.Ints("--stop", "LIST", "stop token ids, comma-separated (default: the config's eos_token_id)", min: 0);
    readonly Option<(Somp.HeadId Head, float Alpha)[]?> _scale = Opt.Parsed<(Somp.HeadId, float)[]?>("--scale", "L3H5=-1,...",
        $"head scales: alpha per head (-1 suppresses, 5 enhances, 0 ablates; within ±{HeadScaleList.Limit:0e0})", HeadScaleList.Parse);
    readonly Option<string> _policy = Opt.Choice("--policy", "positions where the scales apply (image: the image tokens; needs --image)",
        "all", PositionPolicyNames.Named);
    readonly Option<bool> _json = Opt.Flag("--json", "print prompts, ids, text and timing as JSON");
    readonly Option<string> _encodingErrors = CommonOptions.EncodingErrorsOption();
    readonly BackendOptions _backend = new();

    public GenerateCommand(StatusOutput status) : base("generate", "generate from a prompt, optionally with attention heads scaled", status)
    {
        AddOptions([_model, _prompt, _promptFile, _ids, _image, _chat, .. _decoding.All, _stop, _scale, _policy, _json, _encodingErrors, .. _backend.All]);
    }

    protected override int Run(ParseResult parse)
    {
        string? model = parse.GetValue(_model);
        string? prompt = parse.GetValue(_prompt), promptFile = parse.GetValue(_promptFile), image = parse.GetValue(_image);
        int[]? ids = parse.Given(_ids);
        bool chat = parse.IsGiven(_chat);
        string? chatFamily = parse.GetValue(_chat);
        var policy = PositionPolicyNames.Parse(parse.GetValue(_policy)!)!.Value;   // the option accepts only these names
        var options = _decoding.Read(parse) with { StopTokens = parse.Given(_stop) ?? [] };
        var scaleList = parse.Given(_scale);
        bool json = parse.GetValue(_json);
        if (image != null && promptFile != null) throw new ArgumentException("--image takes one prompt (--prompt or --ids), not --prompt-file");
        if (image != null && chat) throw new ArgumentException("--chat does not apply with --image: write the model's prompt format into --prompt");
        if (image == null && policy == PositionPolicy.Image) throw new ArgumentException("--policy image scales heads at image tokens: it needs --image");
        if (image != null && prompt == null && ids == null) prompt = ImagePrompts.DefaultText;
        string? defaultPrompts = model == null && prompt == null && promptFile == null && ids == null ? BuiltinModel.StoryPrompts : null;
        promptFile ??= defaultPrompts;
        if ((prompt != null ? 1 : 0) + (promptFile != null ? 1 : 0) + (ids != null ? 1 : 0) != 1)
            throw new ArgumentException("give exactly one of --prompt, --prompt-file, --ids");
        using var backend = _backend.Create(parse, Status);

        string modelName = BuiltinModel.Or(model, Status, defaultPrompts);
        using var loaded = ModelArgument.Load(modelName, backend, Status);
        var c = loaded.Model.Config;
        var texts = promptFile != null ? PromptLines.Read(promptFile, CommonOptions.EncodingErrors(parse, _encodingErrors)) : prompt != null ? [prompt] : null;
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
        else prompts = [ids!];
        for (int i = 0; i < prompts.Length; i++)
        {
            if (prompts[i].Length == 0) throw new ArgumentException($"prompt {i + 1} encodes to no tokens");
            foreach (int id in prompts[i])
                if ((uint)id >= c.Vocab && id != imageToken) throw new ArgumentException($"prompt {i + 1}: token id {id} is outside the vocabulary of {c.Vocab}");
        }
        PromptFit.Check(prompts, c, options.MaxNewTokens, i => image != null ? $"the prompt with --image {image}"
                                                                 : promptFile != null ? $"prompt {i + 1} of {promptFile}"
                                                                 : prompt != null ? "--prompt" : "--ids");
        HeadScales? scales = null;
        if (scaleList != null)
        {
            scales = new HeadScales(c.Layers, c.Heads) { Policy = policy };
            foreach (var (head, alpha) in scaleList) scales[head.Layer, head.Head] = alpha;   // throws naming the head when out of range
        }
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
            Status.Note($"[{backend.Name}] prefill {result.PromptTokens} tokens at {result.PrefillTokensPerSecond:0.0} tok/s, " +
                        $"decode {result.DecodedTokens} tokens at {result.DecodeTokensPerSecond:0.0} tok/s");
        }
        return ExitCode.Ok;
    }
}

using System.Globalization;
using System.Text.Json;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Generation;
using HeadPursuit.Runtime.Models;

namespace HeadPursuit.Cli.Commands;

/// <summary>`headpursuit generate`: generation from token ids, optionally with heads scaled.</summary>
sealed class GenerateCommand : ICommand
{
    public string Name => "generate";
    public string Summary => "generate from a prompt, optionally with attention heads scaled";
    public string Usage => $"""
        usage: headpursuit generate --model FOLDER --ids 1,2,3 [options]

          --model FOLDER        a Hugging Face model folder (config.json + *.safetensors)
          --ids LIST            prompt token ids, comma-separated
          --max-new-tokens N    default 64
          --temperature T       0 = greedy (default)
          --top-k K --top-p P --seed S
          --stop LIST           stop token ids (default: the config's eos_token_id)
          --scale L3H5=-1,...   head scales (alpha per head; -1 suppresses, 5 enhances, 0 ablates)
          --policy all|prompt|generated   positions where scales apply (default all)
          --json                print ids and timing as JSON
        {CommonOptions.BackendUsage}
        """;

    public int Run(CommandLine args)
    {
        string folder = args.Required("model");
        var ids = args.Ints("ids");
        if (ids.Length == 0) throw new ArgumentException("--ids is empty: give at least one prompt token id");
        var backend = CommonOptions.Backend(args);
        string? scaleText = args.String("scale");
        var policy = ParsePolicy(args.String("policy") ?? "all");
        int maxNew = args.Int("max-new-tokens", 64);
        float temperature = args.Float("temperature", 0f), topP = args.Float("top-p", 1f);
        int topK = args.Int("top-k", 0), seed = args.Int("seed", 0);
        var stop = args.Ints("stop");
        bool json = args.Flag("json");
        args.RejectUnknown();

        using var model = Transformer.Load(folder, backend);
        var c = model.Config;
        foreach (int id in ids)
            if ((uint)id >= c.Vocab) throw new ArgumentException($"--ids: token id {id} is outside the vocabulary of {c.Vocab}");
        var scales = scaleText == null ? null : HeadScales.Parse(scaleText, c.Layers, c.Heads, policy);
        var options = new SamplingOptions
        {
            MaxNewTokens = maxNew, Temperature = temperature, TopK = topK, TopP = topP, Seed = seed,
            StopTokens = stop.Length > 0 ? stop : c.EosIds,
        };
        var result = new Generator(model).Generate([ids], options, scales,
            onToken: json ? null : (_, t) => Console.Write(t.ToString(CultureInfo.InvariantCulture) + " "));
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                prompt_ids = ids, new_ids = result.NewTokens[0], scales = scales?.ToString() ?? "",
                prefill_tokens_per_s = result.PrefillTokensPerSecond, decode_tokens_per_s = result.DecodeTokensPerSecond,
            }));
        }
        else
        {
            Console.WriteLine();
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
        _ => throw new ArgumentException($"--policy '{s}' is not one of all, prompt, generated"),
    };
}

using System.CommandLine;
using HeadPursuit.Runtime.Generation;

namespace HeadPursuit.Cli.Commands;

/// <summary>How generate and steer pick tokens: --max-new-tokens, --temperature, --top-k, --top-p, --seed.</summary>
sealed class DecodingOptions(int defaultMaxNewTokens)
{
    public Option<int> MaxNewTokens { get; } = Opt.Int("--max-new-tokens", "N",
        "tokens to generate per prompt (prompt and new tokens must fit in the model's positions)", defaultMaxNewTokens, min: 0);
    public Option<float> Temperature { get; } = Opt.Float("--temperature", "T", "sampling temperature; 0 is greedy", 0f, min: 0, max: double.PositiveInfinity);
    public Option<int> TopK { get; } = Opt.Int("--top-k", "K", "sample among the K most likely tokens; 0 is all", 0, min: 0);
    public Option<float> TopP { get; } = Opt.Float("--top-p", "P", "sample among the most likely tokens whose probabilities add up to P (nucleus), in (0, 1]",
        1f, min: 0, max: 1, aboveMin: true);
    public Option<int> Seed { get; } = Opt.Int("--seed", "S", "the sampling seed", 0, min: int.MinValue);

    public IEnumerable<Option> All => [MaxNewTokens, Temperature, TopK, TopP, Seed];

    public SamplingOptions Read(ParseResult parse) => new()
    {
        MaxNewTokens = parse.GetValue(MaxNewTokens), Temperature = parse.GetValue(Temperature), TopK = parse.GetValue(TopK),
        TopP = parse.GetValue(TopP), Seed = parse.GetValue(Seed),
    };
}

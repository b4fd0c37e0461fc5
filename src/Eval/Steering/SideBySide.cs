using System.Text;
using System.Text.Json;

namespace HeadPursuit.Eval.Steering;

/// <summary>Generations of the unmodified and the steered model for the same prompts, as Markdown or JSON.</summary>
internal sealed record SideBySide(string Model, string Scales, string Policy, string[] Prompts, string[] Unmodified, string[] Steered)
{
    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.Append($"# Steering {Model}\n\nheads scaled: `{Scales}` (positions: {Policy})\n\n| # | prompt | unmodified | steered |\n|---:|---|---|---|\n");
        for (int i = 0; i < Prompts.Length; i++)
            sb.Append($"| {i + 1} | {Escape(Prompts[i])} | {Escape(Unmodified[i])} | {Escape(Steered[i])} |\n");
        return sb.ToString();
    }

    public string ToJson() => JsonSerializer.Serialize(new
    {
        model = Model, scales = Scales, policy = Policy,
        results = Prompts.Select((p, i) => new { prompt = p, unmodified = Unmodified[i], steered = Steered[i] }),
    }, new JsonSerializerOptions { WriteIndented = true });

    static string Escape(string s) => s.Replace("|", "\\|").Replace("\r", "").Replace("\n", " ⏎ ");
}

using System.Text;
using System.Text.Json;

namespace HeadPursuit.Eval.Steering;

/// <summary>Generations of the unmodified and the steered model for the same prompts, as Markdown or JSON.</summary>
/// <param name="Model">The model's folder or hub id.</param>
/// <param name="Scales">The head scales in words (HeadScales.ToString, e.g. "L3H5=-1,L7H0=-1").</param>
/// <param name="Policy">The positions where the heads were scaled, in words.</param>
/// <param name="Prompts">The prompts, as the table shows them.</param>
/// <param name="Unmodified">Per prompt, the unmodified model's continuation.</param>
/// <param name="Steered">Per prompt, the steered model's continuation.</param>
public sealed record SideBySide(string Model, string Scales, string Policy, string[] Prompts, string[] Unmodified, string[] Steered)
{
    /// <summary>A Markdown table: prompt, unmodified and steered continuation per row.</summary>
    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.Append($"# Steering {Model}\n\nheads scaled: `{Scales}` (positions: {Policy})\n\n| # | prompt | unmodified | steered |\n|---:|---|---|---|\n");
        for (int i = 0; i < Prompts.Length; i++)
            sb.Append($"| {i + 1} | {Escape(Prompts[i])} | {Escape(Unmodified[i])} | {Escape(Steered[i])} |\n");
        return sb.ToString();
    }

    /// <summary>The same as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(new
    {
        model = Model, scales = Scales, policy = Policy,
        results = Prompts.Select((p, i) => new { prompt = p, unmodified = Unmodified[i], steered = Steered[i] }),
    }, new JsonSerializerOptions { WriteIndented = true });

    static string Escape(string s) => s.Replace("|", "\\|").Replace("\r", "").Replace("\n", " ⏎ ");
}

namespace HeadPursuit.Runtime.Capture;

/// <summary>Where head scales apply: every position (the paper's setting), only the prompt's positions,
/// only generated positions, only image-token positions (VLMs), or only the prompt positions in
/// [<see cref="HeadScales.SpanStart"/>, <see cref="HeadScales.SpanEnd"/>) (Span).</summary>
public enum PositionPolicy
{
    /// <summary>Every position (the paper's setting).</summary>
    All,
    /// <summary>Only the prompt's positions.</summary>
    Prompt,
    /// <summary>Only generated positions.</summary>
    Generated,
    /// <summary>Only the image tokens' positions (vision-language models).</summary>
    Image,
    /// <summary>Only the prompt positions in [SpanStart, SpanEnd).</summary>
    Span,
}

/// <summary>The policies' names as the command line and experiment files write them (a span has its own syntax in each).</summary>
internal static class PositionPolicyNames
{
    /// <summary>all, prompt, generated, image.</summary>
    public static readonly string[] Named = ["all", "prompt", "generated", "image"];

    /// <summary>The policy a name stands for, or null when it is not one of <see cref="Named"/>.</summary>
    public static PositionPolicy? Parse(string name) => name switch
    {
        "all" => PositionPolicy.All,
        "prompt" => PositionPolicy.Prompt,
        "generated" => PositionPolicy.Generated,
        "image" => PositionPolicy.Image,
        _ => null,
    };
}

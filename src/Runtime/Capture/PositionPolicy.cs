namespace HeadPursuit.Runtime.Capture;

/// <summary>Where head scales apply: every position (the paper's setting), only the prompt's positions,
/// only generated positions, only image-token positions (VLMs), or only the prompt positions in
/// [<see cref="HeadScales.SpanStart"/>, <see cref="HeadScales.SpanEnd"/>) (Span).</summary>
public enum PositionPolicy { All, Prompt, Generated, Image, Span }

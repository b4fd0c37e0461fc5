namespace HeadPursuit.Runtime.Capture;

/// <summary>Where head scales apply: every position (the paper's setting), only the prompt's positions,
/// only generated positions, or only image-token positions (VLMs).</summary>
public enum PositionPolicy { All, Prompt, Generated, Image }

namespace HeadPursuit.Runtime.Input;

/// <summary>What a text input whose bytes are not valid UTF-8 gives: an error naming the line, or U+FFFD in place of each bad sequence.</summary>
public enum EncodingErrors
{
    /// <summary>Invalid UTF-8 is an error naming the file and line (the default).</summary>
    Strict,
    /// <summary>Each invalid sequence reads as U+FFFD, as `--encoding-errors replace` asks.</summary>
    Replace,
}

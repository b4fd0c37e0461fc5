namespace HeadPursuit.Runtime.Input;

/// <summary>What a text input whose bytes are not valid UTF-8 gives: an error naming the line, or U+FFFD in place of each bad sequence.</summary>
public enum EncodingErrors
{
    Strict,
    Replace,
}

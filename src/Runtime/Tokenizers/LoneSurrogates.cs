namespace HeadPursuit.Runtime.Tokenizers;

/// <summary>
/// A .NET string can hold a surrogate that is not part of a pair; such a string has no UTF-8 form.
/// The tokenizer replaces each lone surrogate by U+FFFD before encoding, exactly as .NET's UTF-8
/// encoder does (Encoding.UTF8.GetBytes writes EF BF BD for it), so Encode(text) equals
/// Encode(Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text))).
/// </summary>
internal static class LoneSurrogates
{
    public static string Replace(string text)
    {
        int first = text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF');
        if (first < 0) return text;
        char[]? copy = null; // [text.Length], made on the first lone surrogate
        for (int i = first; i < text.Length; i++)
        {
            if (!char.IsSurrogate(text[i])) continue;
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { i++; continue; }
            copy ??= text.ToCharArray();
            copy[i] = '\uFFFD';
        }
        return copy == null ? text : new string(copy);
    }
}

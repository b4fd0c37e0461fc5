namespace HeadPursuit.Runtime.Tokenizers;

/// <summary>
/// An entry of tokenizer.json's "added_tokens": a string that is cut out of the text before anything
/// else and always becomes exactly its id. Flags (HF semantics): LStrip / RStrip swallow the whitespace
/// to the left / right of a match; SingleWord matches only when no letter, digit or '_' touches it;
/// Normalized tokens are looked for in the normalized text, the others in the raw text; Special tokens
/// can be skipped when decoding and can be treated as plain text when encoding.
/// </summary>
internal sealed record AddedToken(int Id, string Content, bool Special, bool LStrip, bool RStrip, bool SingleWord, bool Normalized);

namespace HeadPursuit.Runtime;

/// <summary>
/// Bad input on disk or from the user: a truncated file, a missing tensor, a wrong shape, an unsupported
/// architecture. The message always names the culprit (file, tensor or field) so the CLI can print it
/// as is, without a stack trace.
/// </summary>
public sealed class ModelFormatException(string message) : Exception(message);

namespace HeadPursuit.Eval.Data;

/// <summary>RealToxicityPrompts JSONL: one object per line whose prompt text is at prompt.text.</summary>
internal static class RealToxicityPromptsFile
{
    public static string[] Read(string path)
    {
        if (!path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"{path}: RealToxicityPrompts files are JSON lines (.jsonl)");
        return PromptLines.Read(path);
    }
}

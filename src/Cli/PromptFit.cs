using HeadPursuit.Runtime.Models;

namespace HeadPursuit.Cli;

/// <summary>
/// Prompts checked against the model's positions (config.json's max_position_embeddings) before any work: a prompt
/// longer than that is refused, and so is one that leaves no room for the tokens to generate. The error names the
/// prompt and both lengths.
/// </summary>
static class PromptFit
{
    /// <param name="name">The prompt at an index, as the user knows it ("prompt 3 of p.txt", "--ids").</param>
    public static void Check(IReadOnlyList<int[]> prompts, ModelConfig config, int newTokens, Func<int, string> name)
    {
        for (int i = 0; i < prompts.Count; i++)
        {
            int length = prompts[i].Length;
            if (length > config.MaxPositions)
                throw new ArgumentException($"{name(i)} is {length} tokens long, longer than the model's {config.MaxPositions} positions");
            if ((long)length + newTokens > config.MaxPositions)
                throw new ArgumentException($"{name(i)} is {length} tokens long: with --max-new-tokens {newTokens} it needs {length + (long)newTokens} " +
                                            $"positions, more than the model's {config.MaxPositions} (lower --max-new-tokens or shorten the prompt)");
        }
    }
}

namespace HeadPursuit.Cli;

/// <summary>
/// The model the command ships with, used when a command is given no --model: TinyWorld, a GPT-2 (6 layers x 8 heads)
/// trained by this project on stories, facts and numbers dense in colours, countries, numbers and emotions. Its one copy
/// in the repository is the test fixture tests/fixtures/tinyworld-gpt2; the build copies the files a model needs, and
/// its prompts, beside the binary as models/tinyworld-gpt2/ (HeadPursuit.Cli.csproj).
/// </summary>
static class BuiltinModel
{
    public static string Folder { get; } = Path.Combine(AppContext.BaseDirectory, "models", "tinyworld-gpt2");

    /// <summary>300 training-style sentences, 50 on each of six topics: what capture and rank pool over.</summary>
    public static string CapturePrompts => Path.Combine(Folder, "eval", "capture_prompts.txt");

    /// <summary>300 story openings ending before a colour ("... saw a"): what generate and steer continue.</summary>
    public static string StoryPrompts => Path.Combine(Folder, "eval", "story_prompts.txt");

    /// <summary>
    /// <paramref name="model"/> (--model) when given; else the built-in model's folder, said in a note with the prompt
    /// file that stands in for the missing prompts, when <paramref name="prompts"/> names one.
    /// </summary>
    public static string Or(string? model, StatusOutput status, string? prompts = null)
    {
        if (model != null) return model;
        if (!File.Exists(Path.Combine(Folder, "model.safetensors")))
            throw new DirectoryNotFoundException($"no --model given and the built-in model is missing ({Folder} has no model.safetensors): give --model a local folder or a hub id");
        status.Note($"no --model: using the built-in TinyWorld GPT-2 ({Folder})" + (prompts != null ? $" with its prompts {Path.GetRelativePath(Folder, prompts)}" : ""));
        return Folder;
    }
}

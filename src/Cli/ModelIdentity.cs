using System.Security.Cryptography;

namespace HeadPursuit.Cli;

/// <summary>A fingerprint of a model's architecture (its config.json), stored with captured activations so that they
/// are never ranked against another model's weights.</summary>
static class ModelIdentity
{
    public static string ConfigHash(string folder) =>
        Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(folder, "config.json"))));

    public static void Check(Runtime.Capture.HeadActivations acts, string activationsPath, string modelFolder, string modelName)
    {
        string? captured = acts.Metadata.GetValueOrDefault("config_sha256");
        if (captured != null && captured != ConfigHash(modelFolder))
            throw new ArgumentException($"{activationsPath} was captured from another model ('{acts.Model}') than {modelName}: its config.json differs");
    }
}

using System.Security.Cryptography;

namespace HeadPursuit.Runtime.Capture;

/// <summary>A fingerprint of a model's architecture (its config.json), stored with captured activations (metadata
/// "config_sha256") so that they are never ranked against another model's weights.</summary>
public static class ModelIdentity
{
    /// <summary>The metadata key under which <see cref="HeadActivations"/> keep the fingerprint.</summary>
    public const string MetadataKey = "config_sha256";

    /// <summary>The SHA-256 of the model folder's config.json, as lower-case hex.</summary>
    public static string ConfigHash(string folder) =>
        Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(folder, "config.json"))));

    /// <summary>Throws, naming <paramref name="activationsPath"/> and <paramref name="modelName"/>, when <paramref name="acts"/>
    /// were captured from a model whose config.json differs from <paramref name="modelFolder"/>'s (activations without a fingerprint pass).</summary>
    public static void Check(HeadActivations acts, string activationsPath, string modelFolder, string modelName)
    {
        string? captured = acts.Metadata.GetValueOrDefault(MetadataKey);
        if (captured != null && captured != ConfigHash(modelFolder))
            throw new ArgumentException($"{activationsPath} was captured from another model ('{acts.Model}') than {modelName}: its config.json differs");
    }
}

namespace HeadPursuit.Runtime.Hub;

/// <summary>
/// Replaces a small cache file (a ref, a tree listing) all at once: the text goes to a temporary file beside it,
/// named uniquely per writer, which is then renamed over the target. Readers see the old contents or the new
/// ones, never a mix, and two writers never write into the same temporary file.
/// </summary>
static class AtomicFile
{
    public static void Write(string path, string text)
    {
        string temp = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            File.WriteAllText(temp, text);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp); // nothing left when the rename happened
        }
    }
}

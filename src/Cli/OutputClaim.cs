using HeadPursuit.Runtime.Files;

namespace HeadPursuit.Cli;

/// <summary>A file a command reads, described for the message that refuses to write over it ("the --prompts file").</summary>
readonly record struct InputFile(string What, string Path)
{
    /// <summary>
    /// The files of a local model folder (or of the built-in model when <paramref name="model"/> is null); none for a hub
    /// id, whose files live in the hub cache.
    /// </summary>
    public static IEnumerable<InputFile> OfModel(string? model)
    {
        string folder = model ?? BuiltinModel.Folder;
        if (!Directory.Exists(folder)) return [];
        string what = model == null ? "a file of the built-in model" : $"a file of the model {model}";
        return Directory.EnumerateFiles(folder).Select(f => new InputFile(what, f));
    }

    /// <summary>The file an option names, when given.</summary>
    public static IEnumerable<InputFile> Of(string option, string? path) => path == null ? [] : [new($"the {option} file", path)];
}

/// <summary>
/// The files a command is about to write, claimed before any work. Each is refused when it is one of the command's
/// inputs (a prompt file, a model file, a ranking...), a device or another file that is not a regular file (the write
/// would put a regular file in its place) or a folder; its folder is created. Each is then locked (PATH.lock, a
/// <see cref="FileLock"/>): a second process writing the same file stops at once with a message naming this one,
/// rather than waiting to redo the same work over it. Temporary files a killed writer left are removed. The files are
/// written through <see cref="AtomicFile"/>; disposing releases the locks and removes the lock files.
/// </summary>
sealed class OutputClaim : IDisposable
{
    public const string LockSuffix = ".lock";

    readonly List<FileLock> _locks = [];

    OutputClaim() { }

    public void Dispose()
    {
        foreach (var held in _locks) held.Dispose();
        _locks.Clear();
    }

    /// <summary>Claims <paramref name="outputs"/>, which <paramref name="option"/> names (for the messages).</summary>
    public static OutputClaim Take(string option, IEnumerable<string> outputs, IEnumerable<InputFile> inputs)
    {
        var paths = outputs.ToList();
        var inputIds = inputs.Select(i => (Input: i, Id: FileIdentity.Of(i.Path))).ToList();
        foreach (string path in paths) Check(option, path, inputIds);
        var claim = new OutputClaim();
        try
        {
            foreach (string path in paths) claim.Lock(option, path);
        }
        catch
        {
            claim.Dispose();
            throw;
        }
        return claim;
    }

    static void Check(string option, string path, List<(InputFile Input, FileIdentity Id)> inputs)
    {
        var id = FileIdentity.Of(path);
        switch (id.Kind)
        {
            case FileKind.Directory: throw new ArgumentException($"{option} {path}: is a folder, not a file");
            case FileKind.Other:
                throw new ArgumentException($"{option} {path}: is not a regular file (a device, pipe or socket); headpursuit writes a new file " +
                                            "and renames it into place, which would replace it: give the path of a file");
        }
        foreach (var (input, inputId) in inputs)
            if (id.SameFileAs(inputId))
                throw new ArgumentException($"{option} {path}: is {input.What} ({input.Path}); writing it would destroy an input: give another path");
    }

    void Lock(string option, string path)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string lockPath = path + LockSuffix;
        FileLock? held;
        try
        {
            Directory.CreateDirectory(folder);
            held = FileLock.TryTake(lockPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot write in {folder} ({option} {path}): {AtomicFile.Reason(e)}", e);
        }
        if (held == null)
        {
            string holder = FileLock.Holder(lockPath) is { } pid ? $" (pid {pid})" : "";
            throw new IOException($"{path} is being written by another headpursuit process{holder}: wait for it to finish, or give {option} another path");
        }
        _locks.Add(held);
        foreach (string leftover in AtomicFile.Leftovers(path)) File.Delete(leftover);   // the writer that left it is dead: we hold the lock
    }
}

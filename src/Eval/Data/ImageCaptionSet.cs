namespace HeadPursuit.Eval.Data;

/// <summary>
/// Images with reference captions: from Parquet (<see cref="ParquetDataset.Captions"/>), or a captions file (see <see cref="CaptionsFile"/>) whose image names are files in an
/// image folder. Images keep the captions file's order.
/// </summary>
internal sealed record ImageCaptionSet(ImageInput[] Images, string[][] References)
{
    public static ImageCaptionSet Read(string captionsPath, string imageFolder)
    {
        if (!Directory.Exists(imageFolder)) throw new DirectoryNotFoundException($"{imageFolder}: no such image folder");
        var captions = CaptionsFile.Read(captionsPath);
        var images = captions.Keys.Select(name => Path.GetFullPath(Path.Combine(imageFolder, name))).ToArray();
        foreach (var f in images) ImageFiles.Check(f);
        return new ImageCaptionSet([.. images.Select(ImageInput.FromFile)], [.. captions.Values]);
    }
}

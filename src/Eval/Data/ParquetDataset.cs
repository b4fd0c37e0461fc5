namespace HeadPursuit.Eval.Data;

/// <summary>
/// What an experiment takes from a Parquet dataset (<see cref="ParquetTable"/>), task by task, given the columns to
/// read: questions with their accepted answers, prompts, labelled images, captioned images. Rows are read in order and
/// reading stops after <c>limit</c> rows (0: all). Images are kept in memory as their encoded bytes.
/// </summary>
internal static class ParquetDataset
{
    /// <summary>Questions and answers; the first value of the first answer column is the answer, every other value an alias.</summary>
    public static QaItem[] Questions(ParquetTable table, string question, string[] answers, int limit)
    {
        Require(table, [question], "the question");
        Require(table, answers, "the answers");
        var items = table.Rows(limit).Select(row =>
        {
            var golds = answers.SelectMany(row.Texts).Where(a => a.Trim().Length > 0).Distinct().ToArray();
            if (golds.Length == 0) throw row.Error(answers[0], $"and the other answer columns ({string.Join(", ", answers)}) hold no answer");
            return new QaItem(row.Text(question), golds[0], golds[1..]);
        }).ToArray();
        return items.Length > 0 ? items : throw new ArgumentException($"{table.Files[0]}: the dataset holds no rows");
    }

    /// <summary>One prompt per row from a text column (e.g. RealToxicityPrompts' "prompt.text").</summary>
    public static string[] Prompts(ParquetTable table, string column, int limit)
    {
        Require(table, [column], "the prompt");
        var prompts = table.Rows(limit).Select(row => row.Text(column)).ToArray();
        return prompts.Length > 0 ? prompts : throw new ArgumentException($"{table.Files[0]}: the dataset holds no rows");
    }

    /// <summary>
    /// Images and their labels. An integer label is an index into the class names: <paramref name="classes"/> when given,
    /// else the column's ClassLabel names from the file's datasets features; a text label is the class name itself and,
    /// when <paramref name="classes"/> is given, must be one of them.
    /// </summary>
    public static ImageClassificationSet Classification(ParquetTable table, string image, string label, string[]? classes, int limit)
    {
        Require(table, [image], "the image");
        Require(table, [label], "the label");
        var names = classes ?? table.ClassNames(label);
        var images = new List<ImageInput>();
        var labels = new List<string>();
        foreach (var row in table.Rows(limit))
        {
            images.Add(Image(row, image));
            labels.Add(row.Value(label) switch
            {
                string s => s,
                long or int or short or sbyte or byte => Index(row, label, Convert.ToInt64(row.Value(label)), names),
                null => throw row.Error(label, "is empty (null), not a label"),
                _ => throw row.Error(label, "is not a class index (integer) or class name (text)"),
            });
        }
        if (images.Count == 0) throw new ArgumentException($"{table.Files[0]}: the dataset holds no rows");
        return ImageClassificationSet.Create(table.Files[0], [.. images], [.. labels], names);
    }

    /// <summary>Images and their reference captions (text or lists of texts, from one or more columns).</summary>
    public static ImageCaptionSet Captions(ParquetTable table, string image, string[] captions, int limit)
    {
        Require(table, [image], "the image");
        Require(table, captions, "the captions");
        var images = new List<ImageInput>();
        var references = new List<string[]>();
        foreach (var row in table.Rows(limit))
        {
            images.Add(Image(row, image));
            var refs = captions.SelectMany(row.Texts).ToArray();
            references.Add(refs.Length > 0 ? refs : throw row.Error(captions[0], "holds no caption"));
        }
        if (images.Count == 0) throw new ArgumentException($"{table.Files[0]}: the dataset holds no rows");
        return new ImageCaptionSet([.. images], [.. references]);
    }

    static ImageInput Image(ParquetRow row, string column)
    {
        var (bytes, fileName) = row.Image(column);
        return ImageInput.FromBytes(fileName ?? row.Name, bytes);
    }

    static string Index(ParquetRow row, string column, long index, string[]? names)
    {
        if (names == null) throw row.Error(column, "is a class index, but the file has no ClassLabel names for it: give the class names as \"dataset.classes\"");
        if (index < 0 || index >= names.Length) throw row.Error(column, $"is class {index}, outside the {names.Length} class names");
        return names[index];
    }

    static void Require(ParquetTable table, string[] columns, string role)
    {
        if (columns.Length == 0) throw new ArgumentException($"no column given for {role}");
        foreach (var c in columns) table.Require(c, role);
    }
}

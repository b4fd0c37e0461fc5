namespace HeadPursuit.Eval.Experiments;

/// <summary>How an experiment's dataset file is read: a prompt set (text lines or JSON lines), TriviaQA JSON (the
/// questions become prompts "Q: ...\nA:"), RealToxicityPrompts JSON lines, or question JSON lines whose "prompt" is fed
/// as it is and whose "answers" are the golds (Data.QuestionsFile); or an image task: classification from a folder per
/// class or a CSV of path,label (Data.ImageClassificationSet), captioning from a captions file and an image folder
/// (Data.ImageCaptionSet). The same tasks read from Parquet files or hub datasets take their columns by role
/// (<see cref="DatasetSection.DefaultColumns"/>).</summary>
public enum DatasetFormat
{
    /// <summary>Prompts: text lines or JSON lines.</summary>
    Prompts,
    /// <summary>TriviaQA JSON: questions become prompts "Q: ...\nA:", their answers the golds.</summary>
    TriviaQa,
    /// <summary>RealToxicityPrompts JSON lines.</summary>
    RealToxicityPrompts,
    /// <summary>Question JSON lines: "prompt" fed as it is, "answers" the golds.</summary>
    Questions,
    /// <summary>Images by class (a folder per class or a CSV of path,label).</summary>
    ImageClassification,
    /// <summary>Images with reference captions (a captions file and an image folder).</summary>
    ImageCaptions,
}

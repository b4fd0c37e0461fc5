namespace HeadPursuit.Eval.Experiments;

/// <summary>How an experiment's dataset file is read: a prompt set (text lines or JSON lines), TriviaQA JSON (the
/// questions become prompts "Q: ...\nA:"), or RealToxicityPrompts JSON lines.</summary>
public enum DatasetFormat { Prompts, TriviaQa, RealToxicityPrompts }

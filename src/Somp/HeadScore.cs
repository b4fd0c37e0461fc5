namespace HeadPursuit.Somp;

/// <summary>
/// One head's score for a concept. For SOMP: Score = EVR after the last iteration, EvrCurve [N] the EVR after each
/// iteration and SelectedTokenIds [N] the chosen dictionary tokens in order; for the logit-lens baseline both
/// arrays are empty.
/// </summary>
public sealed record HeadScore(HeadId Head, double Score, double[] EvrCurve, int[] SelectedTokenIds);

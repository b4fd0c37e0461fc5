using HeadPursuit.Somp;

namespace HeadPursuit.Eval.Experiments;

/// <summary>
/// One way of choosing the heads to scale: the top-k of the SOMP ranking, the top-k of the logit-lens ranking, random
/// sets matched per layer to SOMP's top-k and disjoint from it, or a fixed, named list of heads.
/// </summary>
public sealed record SelectionSpec(string Name, SelectionKind Kind, HeadId[] Heads)
{
    public const string Somp = "somp", LogitLens = "logit_lens", Random = "random";
}

public enum SelectionKind { Somp, LogitLens, Random, Explicit }

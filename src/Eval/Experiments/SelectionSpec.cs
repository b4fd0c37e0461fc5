using HeadPursuit.Somp;

namespace HeadPursuit.Eval.Experiments;

/// <summary>
/// One way of choosing the heads to scale: the top-k of the SOMP ranking, the top-k of the logit-lens ranking, random
/// sets matched per layer to SOMP's top-k and disjoint from it, or a fixed, named list of heads.
/// </summary>
public sealed record SelectionSpec(string Name, SelectionKind Kind, HeadId[] Heads)
{
    /// <summary>The name of the SOMP top-k selection.</summary>
    public const string Somp = "somp";
    /// <summary>The name of the logit-lens top-k selection.</summary>
    public const string LogitLens = "logit_lens";
    /// <summary>The name of the random-sets selection.</summary>
    public const string Random = "random";
}

/// <summary>How a <see cref="SelectionSpec"/> chooses its heads.</summary>
public enum SelectionKind
{
    /// <summary>The top-k of the SOMP ranking.</summary>
    Somp,
    /// <summary>The top-k of the logit-lens ranking.</summary>
    LogitLens,
    /// <summary>Random sets matched per layer to SOMP's top-k and disjoint from it.</summary>
    Random,
    /// <summary>A fixed list of heads.</summary>
    Explicit,
}

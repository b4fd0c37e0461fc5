using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Capture;

namespace HeadPursuit.Runtime.Models;

/// <summary>Which logits a forward call returns.</summary>
public enum LogitRows { None, LastOfEachSequence, All }

/// <summary>
/// One forward call: the packed tokens of a batch and what to do besides computing them.
/// </summary>
public sealed class ForwardRequest
{
    /// <summary>Token ids, packed in the order of <see cref="Layout"/>'s rows: [rows].</summary>
    public required int[] Tokens { get; init; }
    public required BatchLayout Layout { get; init; }
    public LogitRows Logits { get; init; } = LogitRows.LastOfEachSequence;
    /// <summary>Head scales, or null for the unmodified model.</summary>
    public HeadScales? Scales { get; init; }
    /// <summary>[rows]: 1 where the scales apply (from the position policy); null = every row.</summary>
    public byte[]? ScaleRows { get; init; }
    /// <summary>Streaming pooled capture into <see cref="PoolSums"/> [samples, L * H * d_head].</summary>
    public PoolingPlan? Pool { get; init; }
    public DeviceTensor? PoolSums { get; init; }
    /// <summary>Record every intermediate (verification, hooks).</summary>
    public ForwardRecording? Record { get; init; }
}

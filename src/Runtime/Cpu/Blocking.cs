namespace HeadPursuit.Runtime.Cpu;

/// <summary>Block sizes for the blocked matmuls.</summary>
internal static class Blocking
{
    /// <summary>Splits <paramref name="total"/> into equal blocks of at most <paramref name="max"/>, rounded up to a multiple of <paramref name="multiple"/>.</summary>
    public static int EvenSplit(int total, int max, int multiple)
    {
        int blocks = (total + max - 1) / max;
        int size = (total + blocks - 1) / blocks;
        return (size + multiple - 1) / multiple * multiple;
    }
}

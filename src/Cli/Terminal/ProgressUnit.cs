using System.Globalization;

namespace HeadPursuit.Cli;

/// <summary>What a progress line counts: things of a kind ("samples", "cells") or bytes, shown in MiB.</summary>
readonly record struct ProgressUnit(string Name, double PerUnit)
{
    public static ProgressUnit Of(string things) => new(things, 1);
    public static ProgressUnit Bytes { get; } = new("MiB", 1 << 20);

    /// <summary>A count in this unit: "128" things, "12.5" MiB.</summary>
    public string Amount(double count) =>
        PerUnit == 1 ? count.ToString("0", CultureInfo.InvariantCulture) : (count / PerUnit).ToString("0.0", CultureInfo.InvariantCulture);

    /// <summary>A rate in this unit per second: "42.1 samples/s", "3.2 MiB/s".</summary>
    public string Rate(double perSecond) => (perSecond / PerUnit).ToString("0.0", CultureInfo.InvariantCulture) + $" {Name}/s";
}

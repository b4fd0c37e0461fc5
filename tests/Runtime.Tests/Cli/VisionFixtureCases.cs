using System.Text.Json;
using HeadPursuit.Tests;

namespace HeadPursuit.Runtime.Tests.Cli;

/// <summary>What the vision-language CLI tests read from a fixture's cases.json and from the commands' JSON output.</summary>
static class VisionFixtureCases
{
    public static JsonElement Case(string fixture, string group, string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Fixtures.Path(fixture, "cases.json")));
        return doc.RootElement.GetProperty(group).EnumerateArray().Single(c => c.GetProperty("name").GetString() == name).Clone();
    }

    public static int[] Ints(JsonElement e) => [.. e.EnumerateArray().Select(x => x.GetInt32())];

    /// <summary>The prompt with each run of image tokens collapsed to one, as a user types it.</summary>
    public static int[] Collapse(int[] ids, int imageToken) => [.. ids.Where((t, i) => t != imageToken || i == 0 || ids[i - 1] != imageToken)];

    /// <summary>A case's head_scales as the --scale option writes them ("L0H1=-1,L1H3=5"); empty when it has none.</summary>
    public static string ScaleOption(JsonElement c) => string.Join(",", c.GetProperty("head_scales").EnumerateArray()
        .Select(s => $"L{s.GetProperty("layer").GetInt32()}H{s.GetProperty("head").GetInt32()}={s.GetProperty("alpha").GetDouble()}"));

    /// <summary>The first result of generate --json.</summary>
    public static JsonElement Result(string json) => JsonDocument.Parse(json).RootElement.GetProperty("results")[0].Clone();

    /// <summary>Without a tokenizer, steer prints the generated ids separated by spaces.</summary>
    public static int[] Words(JsonElement text) => [.. text.GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)];
}

using System.Text.Json;
using HeadPursuit.Tests;

namespace HeadPursuit.Runtime.Tests.Cli;

/// <summary>What the vision-language command tests read from a fixture's cases.json and from the commands' JSON output.</summary>
static class VisionCliCases
{
    /// <summary>The case <paramref name="name"/> of the fixture's cases.json group (forward, generation, ...).</summary>
    public static JsonElement Case(string fixture, string group, string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Fixtures.Path(fixture, "cases.json")));
        return doc.RootElement.GetProperty(group).EnumerateArray().Single(c => c.GetProperty("name").GetString() == name).Clone();
    }

    public static int[] Ints(JsonElement e) => [.. e.EnumerateArray().Select(x => x.GetInt32())];

    /// <summary>The prompt with each run of image tokens collapsed to one, as a user types it.</summary>
    public static int[] Collapse(int[] ids, int imageToken) => [.. ids.Where((t, i) => t != imageToken || i == 0 || ids[i - 1] != imageToken)];

    /// <summary>The new ids of the first result of `generate --json`.</summary>
    public static int[] NewIds(string json) => Ints(JsonDocument.Parse(json).RootElement.GetProperty("results")[0].GetProperty("new_ids"));

    /// <summary>Without a tokenizer, steer prints the generated ids separated by spaces.</summary>
    public static int[] Words(JsonElement text) => [.. text.GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)];
}

using System.Text.Json.Nodes;
using HeadPursuit.Tests;

namespace HeadPursuit.Eval.Tests;

/// <summary>A small valid experiment on the stories260K fixture, with absolute paths, to vary field by field.</summary>
static class ExperimentJson
{
    public static JsonObject Small() => new()
    {
        ["name"] = "small",
        ["model"] = Fixtures.Path("stories260K"),
        ["dataset"] = new JsonObject { ["format"] = "prompts", ["path"] = RepoFiles.Path("data", "eval", "stories-heldout.txt"), ["limit"] = 6 },
        ["concept"] = "colours",
        ["ranking"] = new JsonObject { ["capture_prompts"] = RepoFiles.Path("data", "prompts", "stories-colours.txt") },
        ["k"] = new JsonArray(1, 2),
        ["alphas"] = new JsonArray(1),
        ["selections"] = new JsonArray("somp", "logit_lens", "random", new JsonObject { ["name"] = "mine", ["heads"] = new JsonArray("L1H2", "L3H5") }),
        ["random_draws"] = 3,
        ["seed"] = 7,
        ["decoding"] = new JsonObject { ["max_new_tokens"] = 8 },
        ["metrics"] = new JsonArray("concept_frequency", "perplexity"),
        ["batch"] = 4,
    };
}

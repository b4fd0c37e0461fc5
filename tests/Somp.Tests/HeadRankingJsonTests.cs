using HeadPursuit.Runtime;
using HeadPursuit.Somp;

namespace HeadPursuit.Somp.Tests;

public sealed class HeadRankingJsonTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("hp-ranking-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    static HeadRanking Sample() => new("colours", HeadRanking.SompMethod, new SompOptions(Center: true, Normalize: false), 2, 2, 2, 7, [5, 9, 12],
        [new(new HeadId(0, 0), 0.25, [0.125, 0.25], [9, 5]), new(new HeadId(0, 1), 0.75, [0.5, 0.75], [12, 9]),
         new(new HeadId(1, 0), 0.0625, [0.0625, 0.0625], [5, 12]), new(new HeadId(1, 1), 0.5, [0.25, 0.5], [5, 9])]);

    [Fact]
    public void Reading_a_written_ranking_gives_back_everything_it_holds()
    {
        var written = Sample();
        var read = HeadRankingJson.Read(Write("colours.somp.json", written.ToJson()));
        Assert.Equal(written.ToJson(), read.ToJson());
        Assert.Equal([5, 9, 12], read.TokenIds);
        var best = read.Entries[0];
        Assert.Equal((new HeadId(0, 1), 0.75), (best.Head, best.Score));
        Assert.Equal([0.5, 0.75], best.EvrCurve);
        Assert.Equal([12, 9], best.SelectedTokenIds);
        Assert.Equal(new SompOptions(Center: true, Normalize: false), read.Options);
    }

    [Fact]
    public void A_non_numeric_token_id_is_named()
    {
        string json = Sample().ToJson().Replace("\"token_ids\": [\n    5,", "\"token_ids\": [\n    \"five\",");
        Assert.Contains("\"five\"", json);
        var e = Assert.Throws<ModelFormatException>(() => HeadRankingJson.Read(Write("bad.json", json)));
        Assert.Contains("token_ids[0] = \"five\" should be an integer >= 0", e.Message);
    }

    [Fact]
    public void Missing_options_are_an_error_not_a_default()
    {
        string json = Sample().ToJson().Replace("\"fold_final_norm\": false", "\"fold_final_norm\": null");
        var e = Assert.Throws<ModelFormatException>(() => HeadRankingJson.Read(Write("no-option.json", json)));
        Assert.Contains("options.fold_final_norm must be true or false", e.Message);
    }

    [Fact]
    public void A_fractional_layer_count_is_named()
    {
        string json = Sample().ToJson().Replace("\"layers\": 2", "\"layers\": 2.5");
        var e = Assert.Throws<ModelFormatException>(() => HeadRankingJson.Read(Write("fraction.json", json)));
        Assert.Contains("fraction.json: layers = 2.5 should be an integer >= 1", e.Message);
    }
}

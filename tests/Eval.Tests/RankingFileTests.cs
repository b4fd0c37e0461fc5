using HeadPursuit.Eval.Experiments;
using HeadPursuit.Somp;

namespace HeadPursuit.Eval.Tests;

public class RankingFileTests
{
    static HeadRanking Sample() => new("colours", HeadRanking.SompMethod, new SompOptions(Center: true, Normalize: false), 2, 2, 2, 7, [5, 9, 12],
        [new(new HeadId(0, 0), 0.25, [0.125, 0.25], [9, 5]), new(new HeadId(0, 1), 0.75, [0.5, 0.75], [12, 9]),
         new(new HeadId(1, 0), 0.0625, [0.0625, 0.0625], [5, 12]), new(new HeadId(1, 1), 0.5, [0.25, 0.5], [5, 9])]);

    [Fact]
    public void Reading_a_written_ranking_gives_back_everything_it_holds()
    {
        using var dir = new TempFolder();
        var written = Sample();
        var read = RankingFile.Read(dir.Write("colours.somp.json", written.ToJson()));
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
        using var dir = new TempFolder();
        string json = Sample().ToJson().Replace("\"token_ids\": [\n    5,", "\"token_ids\": [\n    \"five\",");
        Assert.Contains("\"five\"", json);
        var e = Assert.Throws<ArgumentException>(() => RankingFile.Read(dir.Write("bad.json", json)));
        Assert.Contains("token_ids[0] is not a number", e.Message);
    }
}

using System.Globalization;

namespace HeadPursuit.Cli.Commands;

/// <summary>`headpursuit merge`: joins the shards of one capture run, checking that they belong together and cover every prompt once.</summary>
sealed class MergeCommand : ICommand
{
    public string Name => "merge";
    public string Summary => "join the --shard K/N parts of a capture run into one activations file";
    public string Usage => """
        usage: headpursuit merge --out ACTS.safetensors PART0 PART1 ...

        The parts must come from the same model, prompts and positions, with shards 0..N-1 each present once;
        the result is identical to a single capture run.
        """;

    public int Run(CommandLine args)
    {
        string outPath = args.Required("out");
        args.RejectUnknown();
        if (args.Positional.Count == 0) throw new ArgumentException("merge needs the part files to join");
        var parts = args.Positional.Select(p => (Path: p, Acts: Runtime.Capture.HeadActivations.Load(p))).ToList();
        var first = parts[0].Acts;
        foreach (var key in new[] { "config_sha256", "prompts_sha256", "samples_total" })
            foreach (var (path, acts) in parts)
                if (acts.Metadata.GetValueOrDefault(key) != first.Metadata.GetValueOrDefault(key))
                    throw new ArgumentException($"{path} does not belong with {parts[0].Path}: {key} differs");
        foreach (var (path, acts) in parts)
            if (acts.Positions != first.Positions) throw new ArgumentException($"{path} pooled '{acts.Positions}', {parts[0].Path} pooled '{first.Positions}'");

        var ordered = parts.OrderBy(p => Shard(p.Path, p.Acts).K).ToList();
        int n = Shard(ordered[0].Path, ordered[0].Acts).N;
        if (ordered.Count != n || ordered.Select((p, i) => Shard(p.Path, p.Acts).K == i && Shard(p.Path, p.Acts).N == n).Any(ok => !ok))
            throw new ArgumentException($"expected shards 0..{n - 1} of {n} once each, got {string.Join(", ", ordered.Select(p => p.Acts.Metadata.GetValueOrDefault("shard")))}");
        int total = int.Parse(first.Metadata["samples_total"], CultureInfo.InvariantCulture);
        if (ordered.Sum(p => p.Acts.Samples) != total)
            throw new ArgumentException($"the parts hold {ordered.Sum(p => p.Acts.Samples)} samples, the run had {total} (is a part an unfinished checkpoint?)");

        var merged = HeadActivationsJoin.Concat(ordered.Select(p => p.Acts).ToList());
        merged.Metadata["shard"] = "0/1";
        merged.Metadata["sample_start"] = "0";
        merged.Save(outPath);
        Console.Error.WriteLine($"wrote {outPath}: {merged.Samples} samples from {n} shards");
        return 0;
    }

    static (int K, int N) Shard(string path, Runtime.Capture.HeadActivations acts)
    {
        var s = acts.Metadata.GetValueOrDefault("shard")?.Split('/');
        if (s?.Length != 2 || !int.TryParse(s[0], out int k) || !int.TryParse(s[1], out int n))
            throw new ArgumentException($"{path} has no shard metadata (not written by headpursuit capture)");
        return (k, n);
    }
}

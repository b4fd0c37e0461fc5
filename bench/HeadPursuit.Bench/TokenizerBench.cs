using System.Diagnostics;
using System.Text;
using HeadPursuit.Runtime.Tokenizers;

namespace HeadPursuit.Bench;

/// <summary>
/// Encode / decode throughput of the GPT-2 and stories260K tokenizers (fixture files), and of any tokenizer.json given
/// with --tokenizer (e.g. Gemma 3's, whose whole lines are single BPE words), on a few MB of generated mixed text,
/// encoded paragraph by paragraph. "cold" is the first pass of a freshly loaded tokenizer (empty word cache, code not
/// yet jitted); "warm" is the best of 3 further passes. Throughput counts UTF-8 bytes of text. With --peer hf,
/// Hugging Face's own Rust tokenizers (NuGet Tokenizers.DotNet) encode the same paragraphs in the same run, and the
/// ids of both (special tokens added) must be identical.
/// Args: [megabytes (default 4)] [--tokenizer [NAME=]PATH]... [--peer hf].
/// </summary>
public sealed class TokenizerBench : IBench
{
    public string Name => "tokenizer";
    public string Description => "tokenizer encode/decode MB/s (GPT-2, stories260K, --tokenizer [NAME=]PATH), cold and warm; --peer hf";

    public int Run(string[] args)
    {
        double megabytes = args.Length > 0 && !args[0].StartsWith("--") ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 4;
        bool hf = args.Contains("--peer") && args[Array.IndexOf(args, "--peer") + 1] == "hf";
        var extra = args.Select((a, i) => (a, i)).Where(p => p.a == "--tokenizer").Select(p => args[p.i + 1]).ToArray();
        var paragraphs = MixedText((int)(megabytes * 1024 * 1024));
        long bytes = paragraphs.Sum(p => (long)Encoding.UTF8.GetByteCount(p));
        Console.WriteLine($"text: {paragraphs.Count} paragraphs, {bytes / 1048576.0:F2} MB UTF-8, {paragraphs.Sum(p => p.Length)} chars");
        Console.WriteLine($"machine: {Environment.ProcessorCount} logical cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");

        string fixtures = HeadPursuit.Tests.Fixtures.Root;
        int failures = 0;
        Console.WriteLine($"load average before: {GemmBench.LoadAverage()}");
        var files = new List<(string Name, string Path, Func<Tokenizer> Load)>
        {
            ("gpt2", Path.Combine(fixtures, "gpt2-tokenizer", "tokenizer.json"), () => Tokenizer.FromFile(Path.Combine(fixtures, "gpt2-tokenizer", "tokenizer.json"))),
            ("stories260K", Path.Combine(fixtures, "stories260K", "tokenizer.json"), () => Tokenizer.FromFolder(Path.Combine(fixtures, "stories260K"))),
        };
        // A tokenizer.json alone, as Hugging Face's Rust library reads it (no tokenizer_config.json).
        foreach (string given in extra)
        {
            int equals = given.IndexOf('=');
            string name = equals > 0 ? given[..equals] : Path.GetFileName(given), path = given[(equals + 1)..];
            files.Add((name, path, () => Tokenizer.FromFile(path)));
        }
        foreach (var (name, path, load) in files)
        {
            var loading = Stopwatch.StartNew();
            var tokenizer = load();
            Console.WriteLine($"{name,-12} {path}: loaded in {loading.Elapsed.TotalSeconds:F2} s");
            var (coldEncode, ids) = Time(() => paragraphs.Select(p => tokenizer.Encode(p)).ToArray());
            var (coldDecode, texts) = Time(() => ids.Select(i => tokenizer.Decode(i)).ToArray());
            double warmEncode = Enumerable.Range(0, 3).Min(_ => Time(() => paragraphs.Select(p => tokenizer.Encode(p)).ToArray()).Seconds);
            double warmDecode = Enumerable.Range(0, 3).Min(_ => Time(() => ids.Select(i => tokenizer.Decode(i)).ToArray()).Seconds);

            int mismatches = Enumerable.Range(0, paragraphs.Count).Count(i => texts[i] != paragraphs[i]);
            failures += mismatches;
            long tokens = ids.Sum(i => (long)i.Length);
            Console.WriteLine($"{name,-12} tokens {tokens,9}  ({(double)bytes / tokens:F2} bytes/token)  round-trip mismatches {mismatches}");
            Console.WriteLine($"{"",-12} encode  cold {Mbps(bytes, coldEncode),7:F2} MB/s   warm {Mbps(bytes, warmEncode),7:F2} MB/s");
            Console.WriteLine($"{"",-12} decode  cold {Mbps(bytes, coldDecode),7:F2} MB/s   warm {Mbps(bytes, warmDecode),7:F2} MB/s");
            if (hf) failures += CompareWithHuggingFace(path, tokenizer, paragraphs, bytes, warmEncode);
        }
        Console.WriteLine($"load average after: {GemmBench.LoadAverage()}");
        return failures == 0 ? 0 : 1;
    }

    /// <summary>
    /// Hugging Face's Rust tokenizers on the same paragraphs (cold pass, then best of 3, as ours), with our encode's
    /// ratio to it; returns the number of paragraphs whose ids differ (both with special tokens added).
    /// </summary>
    static int CompareWithHuggingFace(string path, Tokenizer ours, List<string> paragraphs, long bytes, double oursWarm)
    {
        var loading = Stopwatch.StartNew();
        var peer = new Tokenizers.DotNet.Tokenizer(vocabPath: path);
        double load = loading.Elapsed.TotalSeconds;
        var (cold, ids) = Time(() => paragraphs.Select(p => peer.Encode(p)).ToArray());
        double warm = Enumerable.Range(0, 3).Min(_ => Time(() => paragraphs.Select(p => peer.Encode(p)).ToArray()).Seconds);
        int mismatches = Enumerable.Range(0, paragraphs.Count).Count(i => !ids[i].Select(x => (int)x).SequenceEqual(ours.Encode(paragraphs[i], addSpecialTokens: true)));
        Console.WriteLine($"{"",-12} HF tokenizers (Rust, via Tokenizers.DotNet 1.4.1): loaded in {load:F2} s, encode cold {Mbps(bytes, cold),7:F2} MB/s   warm {Mbps(bytes, warm),7:F2} MB/s;" +
                          $" ours / HF (warm) {warm / oursWarm:F2}x; paragraphs with different ids: {mismatches}");
        return mismatches;
    }

    static double Mbps(long bytes, double seconds) => bytes / 1048576.0 / seconds;

    static (double Seconds, T Result) Time<T>(Func<T> work)
    {
        var sw = Stopwatch.StartNew();
        var result = work();
        return (sw.Elapsed.TotalSeconds, result);
    }

    /// <summary>
    /// Deterministic paragraphs (~100-700 chars) of prose-like sentences: common English words with
    /// capitals, numbers (integers, decimals, years, money), punctuation and quotes, and about one
    /// word in 25 from a non-ASCII list (accents, Cyrillic, Greek, CJK, emoji).
    /// </summary>
    static List<string> MixedText(int targetBytes)
    {
        string[] words = ("the of and to in a is that for it as was with be by on not he i this are or his from at which but have an they " +
            "you were her she there been one all we their has would when if so no more out up said what its about into than them can only " +
            "other time new some could these two may first then do any like my now over such our man me even most made after also did many " +
            "before must through back years where much your way well down should because each just those people how too little state good " +
            "very make world still own see men work long get here between both life being under never day same another know while last might " +
            "us great old year off come since against go came right used take three story garden river mountain window morning children").Split(' ');
        string[] foreign = ["café", "naïve", "résumé", "Zürich", "São", "Привет", "мир", "Γειά", "κόσμε", "日本語", "中文", "한국어", "😀", "🎉", "👍🏽", "€", "—", "…", "“quoted”"];
        string[] punctuation = [",", ",", ";", ":", " -", ""];
        var rng = new Random(2510);
        var paragraphs = new List<string>();
        long total = 0;
        var sb = new StringBuilder();
        while (total < targetBytes)
        {
            sb.Clear();
            int sentences = 1 + rng.Next(6);
            for (int s = 0; s < sentences; s++)
            {
                int n = 4 + rng.Next(18);
                for (int w = 0; w < n; w++)
                {
                    string word = rng.Next(25) == 0 ? foreign[rng.Next(foreign.Length)]
                        : rng.Next(15) == 0 ? Number(rng)
                        : words[rng.Next(words.Length)];
                    if (w == 0) word = char.ToUpperInvariant(word[0]) + word[1..];
                    sb.Append(word);
                    if (w < n - 1) sb.Append(rng.Next(8) == 0 ? punctuation[rng.Next(punctuation.Length)] : "").Append(' ');
                }
                sb.Append(".!?"[rng.Next(10) switch { < 8 => 0, 8 => 1, _ => 2 }]).Append(s < sentences - 1 ? " " : "");
            }
            string paragraph = sb.ToString();
            paragraphs.Add(paragraph + "\n");
            total += Encoding.UTF8.GetByteCount(paragraph) + 1;
        }
        return paragraphs;
    }

    static string Number(Random rng) => rng.Next(4) switch
    {
        0 => rng.Next(100).ToString(System.Globalization.CultureInfo.InvariantCulture),
        1 => (1800 + rng.Next(230)).ToString(System.Globalization.CultureInfo.InvariantCulture),
        2 => (rng.NextDouble() * 1000).ToString("F2", System.Globalization.CultureInfo.InvariantCulture),
        _ => "$" + rng.Next(1, 100000).ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
    };
}

using HeadPursuit.Runtime.Verification;
using HeadPursuit.Somp;

namespace HeadPursuit.Cli.Commands;

/// <summary>`headpursuit verify FOLDER`: runs a reference fixture folder and compares every listed tensor.</summary>
sealed class VerifyCommand : ICommand
{
    public string Name => "verify";
    public string Summary => "compare this implementation with a reference fixture folder (cases.json + expected.safetensors)";
    public string Usage => """
        usage: headpursuit verify FOLDER [--threads N]

        FOLDER is a fixture in the format of tests/fixtures/MANIFEST.md:
          - a model (config.json, model.safetensors, cases.json, expected.safetensors): every forward, intervention and
            generation case; per tensor the max absolute error and the max error relative to the reference's largest value,
            within |a - e| <= 1e-4 + 1e-4 |e| (attention probabilities 1e-5; generated ids exact);
          - a tokenizer (tokenizer.json with tokenizer_cases.json, or a cases.json of texts): ids, tokens, decoded text, exact;
          - SOMP cases (cases.json with an "algorithm" block): selections exact, EVR, coefficients and scores within 1e-9,
            rankings exact but for listed near ties; head-ranking cases also capture their prompts on the named model.
        Exits 1 if anything fails.
        """;

    public int Run(CommandLine args)
    {
        if (args.Positional.Count != 1) throw new ArgumentException("verify takes one fixture folder");
        string folder = args.Positional[0];
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"{folder}: no such folder");
        using var backend = CommonOptions.Backend(args);
        args.RejectUnknown();
        var checks = new List<IEnumerable<Comparison>>();
        if (ModelVerifier.IsModelFixture(folder)) checks.Add(ModelVerifier.Run(folder, backend));
        if (TokenizerVerifier.CasesFile(folder) != null) checks.Add(TokenizerVerifier.Run(folder));
        if (SompVerifier.IsSompFixture(folder)) checks.Add(SompVerifier.Run(folder, backend));
        if (checks.Count == 0)
            throw new ArgumentException($"{folder}: nothing to verify (expected a model fixture's cases.json or tokenizer cases)");
        int passed = 0, failed = 0;
        foreach (var r in checks.SelectMany(c => c))
        {
            Console.WriteLine(r);
            if (r.Passed) passed++; else failed++;
        }
        Console.WriteLine($"{Path.GetFileName(Path.GetFullPath(folder).TrimEnd('/'))}: {passed} passed, {failed} failed");
        return failed == 0 ? 0 : 1;
    }
}

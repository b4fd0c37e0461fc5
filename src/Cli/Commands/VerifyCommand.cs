using System.CommandLine;
using HeadPursuit.Runtime.Verification;
using HeadPursuit.Somp;

namespace HeadPursuit.Cli.Commands;

/// <summary>`headpursuit verify FOLDER`: runs a reference fixture folder and compares every listed tensor.</summary>
sealed class VerifyCommand : HeadPursuitCommand
{
    readonly Argument<string> _folder = new("FOLDER") { Description = "a fixture folder in the format of tests/fixtures/MANIFEST.md" };
    readonly BackendOptions _backend = new();

    public VerifyCommand(StatusOutput status)
        : base("verify", "compare this implementation with a reference fixture folder (cases.json + expected.safetensors)", status)
    {
        Arguments.Add(_folder);
        AddOptions([.. _backend.All]);
    }

    public override string Notes => """
        FOLDER is one of:
          - a model (config.json, model.safetensors, cases.json, expected.safetensors): every forward, intervention and
            generation case; per tensor the max absolute error and the max error relative to the reference's largest value,
            within |a - e| <= 1e-4 + 1e-4 |e| (attention probabilities 1e-5; generated ids exact);
          - a tokenizer (tokenizer.json with tokenizer_cases.json, or a cases.json of texts): ids, tokens, decoded text, exact;
          - SOMP cases (cases.json with an "algorithm" block): selections exact, EVR, coefficients and scores within 1e-9,
            rankings exact but for listed near ties; head-ranking cases also capture their prompts on the named model.
        Exits 1 if anything fails.
        """;

    protected override int Run(ParseResult parse)
    {
        string folder = parse.GetValue(_folder)!;
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"{folder}: no such folder");
        using var backend = _backend.Create(parse, Status);
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
        return failed == 0 ? ExitCode.Ok : ExitCode.BadInput;
    }
}

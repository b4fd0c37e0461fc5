using HeadPursuit.Runtime.Verification;

namespace HeadPursuit.Cli.Commands;

/// <summary>`headpursuit verify FOLDER`: runs a reference fixture folder and compares every listed tensor.</summary>
sealed class VerifyCommand : ICommand
{
    public string Name => "verify";
    public string Summary => "compare this implementation with a reference fixture folder (cases.json + expected.safetensors)";
    public string Usage => """
        usage: headpursuit verify FOLDER [--threads N]

        FOLDER holds config.json, model.safetensors, cases.json and expected.safetensors (format: shared/fixtures/MANIFEST.md).
        Runs every forward, intervention and generation case and prints, per tensor, the max absolute error and the max error
        relative to the reference's largest value. Exits 1 if any tensor is outside the tolerance
        (|a - e| <= 1e-4 + 1e-4 |e|; attention probabilities 1e-5; generated ids exact).
        """;

    public int Run(CommandLine args)
    {
        if (args.Positional.Count != 1) throw new ArgumentException("verify takes one fixture folder");
        string folder = args.Positional[0];
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"{folder}: no such folder");
        var backend = CommonOptions.Backend(args);
        args.RejectUnknown();
        int passed = 0, failed = 0;
        foreach (var r in ModelVerifier.Run(folder, backend))
        {
            Console.WriteLine(r);
            if (r.Passed) passed++; else failed++;
        }
        Console.WriteLine($"{Path.GetFileName(Path.GetFullPath(folder).TrimEnd('/'))}: {passed} passed, {failed} failed");
        return failed == 0 ? 0 : 1;
    }
}

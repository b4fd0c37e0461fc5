using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using HeadPursuit.Cli.Commands;

namespace HeadPursuit.Cli;

/// <summary>
/// The headpursuit command line (System.CommandLine): the commands, the global --quiet, help for every command, the
/// [suggest] directive for tab completion (dotnet-suggest), @FILE response files; then the exit code
/// (<see cref="ExitCode"/>): usage errors and bad input as one "error:" line, an unexpected exception as a bug report.
/// </summary>
public static class HeadPursuitCli
{
    public static int Run(string[] args)
    {
        var status = new StatusOutput(Console.Error, terminal: !Console.IsErrorRedirected);
        var quiet = new Option<bool>("--quiet", "-q")
        {
            Description = "no progress lines and no notes on standard error (errors still appear)", Recursive = true,
        };
        var root = new RootCommand("headpursuit: find and edit the attention heads of a transformer that specialise in a concept.") { quiet };
        root.HelpName = "headpursuit";   // also when run in-process (tests) or through `dotnet headpursuit.dll`
        HeadPursuitCommand[] commands =
        [
            new GenerateCommand(status), new CaptureCommand(status), new MergeCommand(status), new RankCommand(status),
            new DecomposeCommand(status), new SteerCommand(status), new EvalCommand(status), new OverlapCommand(status),
            new SensitivityCommand(status), new VerifyCommand(status),
        ];
        foreach (var command in commands) root.Subcommands.Add(command);
        var help = root.Options.OfType<HelpOption>().Single();
        help.Action = new HelpWithNotes((HelpAction)help.Action!, RootNotes);
        root.SetAction(parse => ((SynchronousCommandLineAction)help.Action).Invoke(parse));   // no command: the help

        if (args is ["help", .. var rest]) args = [.. rest, "--help"];   // `headpursuit help [COMMAND]`
        var parsed = root.Parse(args);
        if (parsed.Action is ParseErrorAction) return UsageErrors.Report(parsed, status);
        status.Quiet = parsed.GetValue(quiet);
        try
        {
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            return Failures.Report(e, status);
        }
    }

    const string RootNotes = """
        Run `headpursuit COMMAND --help` for a command's options. Heads are written L{layer}H{head}, 0-based.
        Without --model, generate, capture, rank, decompose and steer use the built-in TinyWorld GPT-2.

        @FILE reads more arguments from FILE (whitespace-separated, one or more per line; # starts a comment).
        Tab completion through dotnet-suggest (System.CommandLine's [suggest] directive): `dotnet tool install -g
        dotnet-suggest`, `dotnet-suggest script bash >> ~/.bashrc` (or zsh), `dotnet-suggest register --command-path
        $(command -v headpursuit)`.

        Exit codes: 0 ok, 1 bad input (an "error:" line names the file, field or option), 2 an unknown command or
        option, 70 a bug in headpursuit (please report it; HEADPURSUIT_DEBUG=1 adds the stack trace).
        """;
}

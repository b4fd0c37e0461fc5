using HeadPursuit.Cli;
using HeadPursuit.Cli.Commands;
using HeadPursuit.Runtime;

ICommand[] commands = [new GenerateCommand(), new CaptureCommand(), new MergeCommand(), new RankCommand(), new DecomposeCommand(), new SteerCommand(), new EvalCommand(), new OverlapCommand(), new SensitivityCommand(), new VerifyCommand()];

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine("headpursuit: find and edit the attention heads of a transformer that specialise in a concept.\n");
    Console.WriteLine("usage: headpursuit <command> [options]    (headpursuit <command> --help for details)\n");
    foreach (var c in commands) Console.WriteLine($"  {c.Name,-10} {c.Summary}");
    return 0;
}

var command = commands.FirstOrDefault(c => c.Name == args[0]);
if (command == null)
{
    Console.Error.WriteLine($"error: unknown command '{args[0]}' (commands: {string.Join(", ", commands.Select(c => c.Name))})");
    return 2;
}
if (args.Skip(1).Any(a => a is "-h" or "--help"))
{
    Console.WriteLine(command.Usage);
    return 0;
}
try
{
    return command.Run(new CommandLine(args.Skip(1)));
}
catch (Exception e) when (e is ModelFormatException or ArgumentException or FileNotFoundException or DirectoryNotFoundException
                                or HeadPursuit.Kernels.CudaUnavailableException)
{
    // Bad input: say what is wrong, without a stack trace.
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

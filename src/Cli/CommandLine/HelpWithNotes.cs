using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace HeadPursuit.Cli;

/// <summary>
/// --help: System.CommandLine's help (description, usage, every option with its default), then the command's notes
/// (<see cref="HeadPursuitCommand.Notes"/>: recipes, formats, what the command compares), or the root's.
/// </summary>
sealed class HelpWithNotes(HelpAction help, string rootNotes) : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parse)
    {
        int exit = help.Invoke(parse);
        string? notes = parse.CommandResult.Command switch
        {
            HeadPursuitCommand command => command.Notes,
            RootCommand => rootNotes,
            _ => null,
        };
        if (notes != null) parse.InvocationConfiguration.Output.WriteLine(notes.TrimEnd() + "\n");
        return exit;
    }
}

using System.CommandLine;

namespace HeadPursuit.Cli;

/// <summary>
/// One command of headpursuit: a System.CommandLine command whose options are declared beside its <see cref="Run"/>,
/// with <see cref="Notes"/> shown by --help below the options. <see cref="Status"/> is where it says what it does.
/// </summary>
abstract class HeadPursuitCommand : Command
{
    protected HeadPursuitCommand(string name, string summary, StatusOutput status) : base(name, summary)
    {
        Status = status;
        SetAction(Run);
    }

    protected StatusOutput Status { get; }

    /// <summary>Help text after the options (a recipe, a file layout), or null.</summary>
    public virtual string? Notes => null;

    protected abstract int Run(ParseResult parse);

    protected void AddOptions(params Option[] options)
    {
        foreach (var option in options) Options.Add(option);
    }
}

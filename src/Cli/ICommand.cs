namespace HeadPursuit.Cli;

/// <summary>One verb of the headpursuit command.</summary>
public interface ICommand
{
    string Name { get; }
    /// <summary>One line for the command list.</summary>
    string Summary { get; }
    /// <summary>The full usage text.</summary>
    string Usage { get; }
    int Run(CommandLine args);
}

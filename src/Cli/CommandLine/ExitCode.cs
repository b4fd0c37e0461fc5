namespace HeadPursuit.Cli;

/// <summary>What the headpursuit command exits with.</summary>
static class ExitCode
{
    public const int Ok = 0;
    /// <summary>Bad input: one "error:" line names the file, field or option.</summary>
    public const int BadInput = 1;
    /// <summary>A command line that cannot be read: an unknown command, option or argument.</summary>
    public const int Usage = 2;
    /// <summary>A bug in headpursuit (an exception no input should cause); BSD's EX_SOFTWARE.</summary>
    public const int InternalError = 70;
}

using HeadPursuit.Cli;

namespace HeadPursuit.Cli.Tests;

/// <summary>Runs the headpursuit entry point in-process with captured stdout/stderr.</summary>
static class CliRunner
{
    static readonly object Gate = new();

    public static (int Exit, string Out, string Err) Run(params string[] args)
    {
        lock (Gate)
        {
            var (oldOut, oldErr) = (Console.Out, Console.Error);
            var (o, e) = (new StringWriter(), new StringWriter());
            Console.SetOut(o); Console.SetError(e);
            try
            {
                var entry = typeof(HeadPursuitCli).Assembly.EntryPoint!;
                int exit = (int)entry.Invoke(null, [args])!;
                return (exit, o.ToString(), e.ToString());
            }
            finally { Console.SetOut(oldOut); Console.SetError(oldErr); }
        }
    }
}

/// <summary>Tests that swap Console.Out must not run beside each other.</summary>
[CollectionDefinition("console", DisableParallelization = true)]
public sealed class ConsoleCollection;

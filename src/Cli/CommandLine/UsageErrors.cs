using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace HeadPursuit.Cli;

/// <summary>
/// A command line that did not parse, reported as "error:" lines: a word the command does not know (an unknown
/// command or option, with the nearest name when one is close, exit 2), else each bad value, missing value, missing
/// required option or argument, naming it (exit 1).
/// </summary>
static class UsageErrors
{
    public static int Report(ParseResult parse, StatusOutput status)
    {
        var command = parse.CommandResult.Command;
        string where = command is RootCommand ? "headpursuit" : $"headpursuit {command.Name}";
        if (parse.UnmatchedTokens.Count > 0)
        {
            status.Error("error: " + Unknown(parse.UnmatchedTokens, command, where));
            return ExitCode.Usage;
        }
        foreach (var e in parse.Errors) status.Error("error: " + Message(e));
        return ExitCode.BadInput;
    }

    /// <summary>What is missing, said the same way for every option and argument; other errors as they come.</summary>
    static string Message(ParseError e) => e.SymbolResult switch
    {
        OptionResult { IdentifierToken: null, Option: { Required: true } o } => $"missing {o.Name} ({o.Description})",
        OptionResult { Tokens.Count: 0, Option: { Arity.MinimumNumberOfValues: > 0 } o } => $"{o.Name} needs a value",
        ArgumentResult { Argument: var a } r when r.Parent is CommandResult && r.Tokens.Count < a.Arity.MinimumNumberOfValues =>
            $"missing {a.Name} ({a.Description})",
        _ => e.Message,
    };

    static string Unknown(IReadOnlyList<string> tokens, Command command, string where)
    {
        if (command is RootCommand && !tokens[0].StartsWith('-'))
        {
            var names = command.Subcommands.Select(c => c.Name).ToList();
            return $"unknown command '{tokens[0]}'{Nearest(tokens[0], names)}; the commands are {string.Join(", ", names)}";
        }
        string? option = tokens.FirstOrDefault(t => t.StartsWith('-') && !double.TryParse(t, CultureInfo.InvariantCulture, out _));
        if (option == null) return $"unexpected argument '{tokens[0]}' for {where}; '{where} --help' says what it takes";
        var options = command.Options.Concat(command.Parents.OfType<Command>().SelectMany(p => p.Options).Where(o => o.Recursive))
                             .SelectMany(o => o.Aliases.Prepend(o.Name)).ToList();
        return $"unknown option '{option}' for {where}{Nearest(option, options)}; '{where} --help' lists its options";
    }

    /// <summary>" (did you mean X?)" for the one name within two edits of <paramref name="word"/> (or that it begins), else "".</summary>
    static string Nearest(string word, IEnumerable<string> names)
    {
        var close = names.Distinct().Where(n => n.StartsWith(word, StringComparison.Ordinal) || EditDistance(word, n) <= 2).ToList();
        return close.Count == 1 ? $" (did you mean {close[0]}?)" : "";
    }

    /// <summary>Levenshtein distance: insertions, deletions and substitutions that turn a into b.</summary>
    static int EditDistance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();   // [b.Length + 1]: distances from a[..i] to every b[..j]
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }
}

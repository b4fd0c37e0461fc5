using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace HeadPursuit.Cli;

/// <summary>
/// The kinds of option value the commands take, each checked while the command line is parsed, so that a bad value
/// is refused before any work with an error naming the option: integers and numbers within a range (never NaN or
/// infinite), non-empty text, one word of a set, comma-separated integers, and values read by a parse function that
/// throws <see cref="ArgumentException"/>. A value that is itself an option ("--top --json") is refused rather than
/// taken as the value.
/// </summary>
static class Opt
{
    public static Option<bool> Flag(string name, string description) => new(name) { Description = description };

    /// <summary>Non-empty text; null when the option is not given.</summary>
    public static Option<string?> Text(string name, string helpName, string description) =>
        Parsed<string?>(name, helpName, description, text => text);

    /// <summary>An option that may be given alone or with a value (--chat, --chat llama3): see <see cref="IsGiven"/>.</summary>
    public static Option<string?> TextOrAlone(string name, string helpName, string description)
    {
        var option = Parsed<string?>(name, helpName, description, text => text);
        option.Arity = ArgumentArity.ZeroOrOne;
        return option;
    }

    /// <summary>Whether the option is on the command line (not merely defaulted).</summary>
    public static bool IsGiven(this ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };

    /// <summary>The option's value, or null when it is not given (System.CommandLine gives an array option an empty array).</summary>
    public static T? Given<T>(this ParseResult parse, Option<T> option) => parse.IsGiven(option) ? parse.GetValue(option) : default;

    /// <summary>The value when the option is not given (shown by --help).</summary>
    public static Option<T> WithDefault<T>(this Option<T> option, T value)
    {
        option.DefaultValueFactory = _ => value;
        return option;
    }

    /// <summary>An option the command cannot do without (marked so by --help).</summary>
    public static Option<T> Required<T>(this Option<T> option)
    {
        option.Required = true;
        return option;
    }

    /// <summary>One of <paramref name="choices"/> (tab completion offers them).</summary>
    public static Option<string> Choice(string name, string description, string @default, params string[] choices)
    {
        var option = Parsed(name, string.Join("|", choices), description, text =>
            choices.Contains(text) ? text : throw new ArgumentException($"{name} '{text}' is not one of {string.Join(", ", choices)}")).WithDefault(@default);
        option.CompletionSources.Add(choices);
        return option;
    }

    /// <summary>An integer in [<paramref name="min"/>, <paramref name="max"/>]; <paramref name="why"/> explains the bound.</summary>
    public static Option<int> Int(string name, string helpName, string description, int @default, int min, int max = int.MaxValue, string why = "") =>
        Parsed(name, helpName, description, text => Integer(name, text, min, max, why)).WithDefault(@default);

    /// <summary>As <see cref="Int"/>, null when not given (the command works out the default).</summary>
    public static Option<int?> OptionalInt(string name, string helpName, string description, int min, int max = int.MaxValue) =>
        Parsed<int?>(name, helpName, description, text => Integer(name, text, min, max, ""));

    /// <summary>Comma-separated integers, each at least <paramref name="min"/>; null when not given.</summary>
    public static Option<int[]?> Ints(string name, string helpName, string description, int min, int max = int.MaxValue) =>
        Parsed<int[]?>(name, helpName, description, text =>
        {
            int[] values = [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => Integer(name, v, min, max, ""))];
            return values.Length > 0 ? values : throw new ArgumentException($"{name} '{text}' lists no values");
        });

    /// <summary>
    /// A finite number in [<paramref name="min"/>, <paramref name="max"/>] (the lower end open when
    /// <paramref name="aboveMin"/>) that a float holds; <paramref name="why"/> explains the range.
    /// </summary>
    public static Option<float> Float(string name, string helpName, string description, float @default, double min, double max,
                                      bool aboveMin = false, string why = "") =>
        Parsed(name, helpName, description, text => Number(name, text, min, max, aboveMin, why)).WithDefault(@default);

    /// <summary>A value read by <paramref name="parse"/>, whose <see cref="ArgumentException"/> becomes the option's error.</summary>
    public static Option<T> Parsed<T>(string name, string helpName, string description, Func<string, T> parse) => new(name)
    {
        Description = description, HelpName = helpName,
        CustomParser = result =>
        {
            if (result.Tokens.Count == 0) return default!;   // an option given alone (arity zero or one)
            string text = result.Tokens[0].Value;
            try
            {
                if (text.StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"{name} needs a value, but the next word is the option {text}");
                if (text.Length == 0) throw new ArgumentException($"{name} is empty");
                return parse(text);
            }
            catch (ArgumentException e)
            {
                result.AddError(e.Message);
                return default!;
            }
        },
    };

    static int Integer(string name, string text, int min, int max, string why)
    {
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
            throw new ArgumentException($"{name} expects an integer, got '{text}'");
        if (value < min || value > max)
            throw new ArgumentException(max == int.MaxValue ? $"{name} must be at least {min}, got {value}"
                                                            : $"{name} must be between {min} and {max}{why}, got {value}");
        return value;
    }

    public static float Number(string name, string text, double min, double max, bool aboveMin, string why)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            throw new ArgumentException($"{name} expects a number, got '{text}'");
        if (!double.IsFinite(value)) throw new ArgumentException($"{name} must be a finite number, got '{text}'");
        if (value < min || (aboveMin && value == min) || value > max)
        {
            var c = CultureInfo.InvariantCulture;
            string range = double.IsPositiveInfinity(max) ? string.Create(c, $"{(aboveMin ? "greater than" : "at least")} {min}")
                                                          : string.Create(c, $"in {(aboveMin ? '(' : '[')}{min}, {max}]");
            throw new ArgumentException($"{name} must be {range}{why}, got {text}");
        }
        if (!float.IsFinite((float)value)) throw new ArgumentException($"{name} {text} is beyond the range of a 32-bit float");
        return (float)value;
    }
}

using System.CommandLine;
using HeadPursuit.Eval.Experiments;
using HeadPursuit.Kernels;
using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Input;
using HeadPursuit.Somp;

namespace HeadPursuit.Cli.Commands;

/// <summary>Options and choices several commands share.</summary>
static class CommonOptions
{
    public static Option<string?> Model(string whenAbsent) =>
        Opt.Text("--model", "MODEL", $"a local model folder or a Hugging Face hub id (e.g. gpt2), downloaded into the HF cache; {whenAbsent}");

    /// <summary>--concept-tokens both|space: which tokenizations of a concept's words make its dictionary.</summary>
    public static Option<string> ConceptTokensOption() =>
        Opt.Choice("--concept-tokens", "which tokenizations of a concept's words make its dictionary: both (\"word\" and \" word\") or space (\" word\" only)",
                   "both", "both", "space");

    public static ConceptTokens ConceptTokens(string choice) =>
        choice == "space" ? Eval.Experiments.ConceptTokens.SpaceVariant : Eval.Experiments.ConceptTokens.Both;

    /// <summary>A concept: a built-in list (offered by tab completion), a word-list file, or lexicon:NAME.</summary>
    public static Option<string?> Concept(string name, string description) => OfferConcepts(Opt.Text(name, "C", description));

    /// <summary>Concepts separated by commas, at least one.</summary>
    public static Option<string[]?> Concepts(string name, string description) => OfferConcepts(Opt.Parsed<string[]?>(name, "C[,C...]", description, text =>
    {
        string[] concepts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return concepts.Length > 0 ? concepts : throw new ArgumentException($"{name} '{text}' names no concept");
    }));

    static Option<T> OfferConcepts<T>(Option<T> option)
    {
        option.CompletionSources.Add([.. ConceptLists.BuiltinNames]);
        return option;
    }

    /// <summary>--encoding-errors strict|replace: what invalid UTF-8 in a prompt or word-list file gives.</summary>
    public static Option<string> EncodingErrorsOption() =>
        Opt.Choice("--encoding-errors", "invalid UTF-8 in a prompt or word-list file: strict (an error naming the line) or replace (U+FFFD in place of the bad bytes)",
                   "strict", "strict", "replace");

    public static EncodingErrors EncodingErrors(ParseResult parse, Option<string> option) =>
        parse.GetValue(option) == "replace" ? Runtime.Input.EncodingErrors.Replace : Runtime.Input.EncodingErrors.Strict;

    /// <summary>
    /// Where SOMP runs: on the GPU when the model runs there (heads ranked without leaving the device), else the CPU;
    /// said in a note.
    /// </summary>
    public static ISompSolver SompSolver(IBackend backend, StatusOutput status)
    {
        var solver = BackendFactory.SompSolver(backend);
        status.Note($"SOMP on {solver.Name}");
        return solver;
    }
}

using System.CommandLine;
using HeadPursuit.Somp;

namespace HeadPursuit.Cli.Commands;

/// <summary>--no-center, --no-normalize, --fold-final-norm: how SOMP treats its inputs (DESIGN.md section 3) in rank and decompose.</summary>
sealed class SompFlags
{
    public Option<bool> NoCenter { get; } = Opt.Flag("--no-center", "do not subtract each column's mean from the pooled head outputs before SOMP");
    public Option<bool> NoNormalize { get; } = Opt.Flag("--no-normalize", "do not scale each dictionary row (a row of the unembedding) to unit l2 norm");
    public Option<bool> FoldFinalNorm { get; } = Opt.Flag("--fold-final-norm", "multiply the dictionary rows by the final norm's gain");

    public IEnumerable<Option> All => [NoCenter, NoNormalize, FoldFinalNorm];

    public SompOptions Read(ParseResult parse) =>
        new(Center: !parse.GetValue(NoCenter), Normalize: !parse.GetValue(NoNormalize), FoldFinalNorm: parse.GetValue(FoldFinalNorm));
}

using System.Globalization;
using TorchSharp;

/// <summary>
/// The command line: --threads 2,1 --dtype f32|bf16 --batch 8 --T 128 --new 33 --reps 3 (the shared TorchSharpPeer's
/// options and defaults, less its --attn and --gemm). Anything else, or a value that is not a positive integer, is an
/// error that names the option.
/// </summary>
sealed record PeerOptions(int[] Threads, torch.ScalarType DType, int Batch, int T, int NewTokens, int Reps)
{
    public const string Usage = "usage: TorchSharpLlamaPeer [--threads 2,1] [--dtype f32|bf16] [--batch 8] [--T 128] [--new 33] [--reps 3]";

    public static PeerOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>();
        for (int i = 0; i < args.Length; i += 2)
        {
            string name = args[i];
            if (name is not ("--threads" or "--dtype" or "--batch" or "--T" or "--new" or "--reps"))
                throw new ArgumentException($"unknown argument '{name}'");
            if (i + 1 >= args.Length) throw new ArgumentException($"{name} needs a value");
            if (!values.TryAdd(name, args[i + 1])) throw new ArgumentException($"{name} given twice");
        }
        string Value(string name, string fallback) => values.GetValueOrDefault(name, fallback);
        var threads = Value("--threads", "2,1").Split(',').Select(s => Positive("--threads", s)).ToArray();
        var dtype = Value("--dtype", "f32") switch
        {
            "f32" => torch.ScalarType.Float32,
            "bf16" => torch.ScalarType.BFloat16,
            var other => throw new ArgumentException($"--dtype {other}: expected f32 or bf16"),
        };
        var options = new PeerOptions(threads, dtype, Positive("--batch", Value("--batch", "8")), Positive("--T", Value("--T", "128")),
                                      Positive("--new", Value("--new", "33")), Positive("--reps", Value("--reps", "3")));
        if (options.T + options.NewTokens > LlamaGqa.MaxPositions)
            throw new ArgumentException($"--T {options.T} plus --new {options.NewTokens} exceeds the shape's {LlamaGqa.MaxPositions} positions");
        return options;
    }

    static int Positive(string name, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n
        : throw new ArgumentException($"{name} {text}: expected a positive integer");
}

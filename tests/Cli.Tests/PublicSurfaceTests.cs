using System.Reflection;
using HeadPursuit.Eval.Experiments;
using HeadPursuit.Kernels;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Somp;

namespace HeadPursuit.Cli.Tests;

/// <summary>
/// The public surface of each package (docs/library.md): what a user needs to load a model, tokenize, capture, rank,
/// generate with head scales and run an experiment; everything else is internal. A type made public, or a public one
/// made internal, changes the packages' API: this list is where that is decided, on purpose. (It lives with the
/// command's tests because the command is the one project that references every package.)
/// </summary>
public sealed class PublicSurfaceTests
{
    [Fact]
    public void RuntimeExportsTheUserSurface() => AssertExported(typeof(LoadedModel).Assembly,
        [
            "Backends.Cpu.CpuBackend",
            "Backends.IBackend",
            "Capture.CapturePositionMasks",
            "Capture.CapturePositions",
            "Capture.HeadActivations",
            "Capture.HeadActivationsJoin",
            "Capture.HeadCapture",
            "Capture.HeadScales",
            "Capture.ModelIdentity",
            "Capture.PositionPolicy",
            "Generation.GenerationResult",
            "Generation.Generator",
            "Generation.SamplingOptions",
            "Hub.DownloadProgress",
            "Hub.HubOptions",
            "Hub.ModelResolver",
            "Input.EncodingErrors",
            "ModelFormatException",
            "Models.LoadedModel",
            "Models.ModelConfig",
            "Models.SequenceClassifier",
            "Models.Transformer",
            "Tokenizers.Tokenizer",
            "Vision.VisionLanguageModel",
        ]);

    [Fact]
    public void SompExportsTheUserSurface() => AssertExported(typeof(HeadScorer).Assembly,
        [
            "ConceptDictionary",
            "ConceptLists",
            "CpuSompSolver",
            "HeadDecomposition",
            "HeadId",
            "HeadRanking",
            "HeadRankingJson",
            "HeadScore",
            "HeadScorer",
            "HeatmapSvg",
            "ISompSolver",
            "ModelReadout",
            "MultiTokenWord",
            "OutputBlocks",
            "SompOptions",
            "VocabularyDecomposition",
        ]);

    [Fact]
    public void EvalExportsTheUserSurface() => AssertExported(typeof(ExperimentRunner).Assembly,
        [
            "Data.ImageInput",
            "Experiments.CellResult",
            "Experiments.ConceptTokens",
            "Experiments.DatasetFormat",
            "Experiments.ExperimentFile",
            "Experiments.ExperimentReport",
            "Experiments.ExperimentRunner",
            "Experiments.ExperimentSpec",
            "Experiments.ExperimentTask",
            "Experiments.ImageTask",
            "Experiments.ImageTaskSpec",
            "Experiments.MetricNames",
            "Experiments.NormalisedValue",
            "Experiments.SelectionKind",
            "Experiments.SelectionSpec",
            "Experiments.SummaryRow",
            "Experiments.TextTask",
            "Experiments.ToxicityClassifierSpec",
            "Plots.ExperimentPlots",
            "Steering.SideBySide",
        ]);

    [Fact]
    public void KernelsExportsTheUserSurface() => AssertExported(typeof(BackendFactory).Assembly,
        [
            "BackendFactory",
            "CudaBackend",
            "CudaUnavailableException",
        ]);

    static void AssertExported(Assembly assembly, string[] expected)
    {
        string prefix = assembly.GetName().Name + ".";
        var exported = assembly.GetExportedTypes().Select(t => t.FullName!).Select(n => n.StartsWith(prefix) ? n[prefix.Length..] : n).Order(StringComparer.Ordinal);
        Assert.Equal(expected.Order(StringComparer.Ordinal), exported);
    }
}

using HeadPursuit.Runtime.Cpu;
using HeadPursuit.Runtime.SafeTensors;

namespace HeadPursuit.Runtime.Vision;

/// <summary>LLaVA's projector from vision features to text embeddings: linear_2(gelu(linear_1(F))), gelu = exact erf form.</summary>
internal sealed class MultiModalProjector
{
    readonly WeightMatrix _l1, _l2;       // [d, Dv], [d, d]
    readonly float[]? _b1, _b2;           // [d] each (absent when multimodal_projector_bias is false)

    public int In => _l1.In;
    public int Out => _l2.Out;

    MultiModalProjector(WeightMatrix l1, float[]? b1, WeightMatrix l2, float[]? b2) { _l1 = l1; _b1 = b1; _l2 = l2; _b2 = b2; }

    public static MultiModalProjector Load(WeightStore s, string prefix, int visionHidden, int textHidden, bool bias)
    {
        int d = textHidden;
        float[]? B(string name) => bias ? s.Get(prefix + name).ExpectShape(d).ToFloatArray() : null;
        return new MultiModalProjector(
            new WeightMatrix(s.Get(prefix + "linear_1.weight").ExpectShape(d, visionHidden), WeightLayout.OutIn), B("linear_1.bias"),
            new WeightMatrix(s.Get(prefix + "linear_2.weight").ExpectShape(d, d), WeightLayout.OutIn), B("linear_2.bias"));
    }

    /// <summary>features [n, Dv] -> [n, d].</summary>
    public float[] Run(ReadOnlySpan<float> features, int n)
    {
        var hidden = new float[n * _l1.Out];   // [n, d]
        Gemm.MatMul(features, n, _l1, hidden, _b1);
        Activations.Gelu(hidden);
        var result = new float[n * _l2.Out];   // [n, d]
        Gemm.MatMul(hidden, n, _l2, result, _b2);
        return result;
    }
}

using HeadPursuit.Runtime.Backends;

namespace HeadPursuit.Runtime.Models;

/// <summary>
/// A normalisation layer on a backend: LayerNorm when it has a bias (y = (x - mean) / sqrt(var + eps) * gain + bias),
/// RMSNorm otherwise (y = x / sqrt(mean(x^2) + eps) * gain). Gemma's RMSNorm multiplies by (1 + w): its gain is
/// made that way at load (<see cref="OnePlus"/>), so one op serves both.
/// </summary>
internal sealed class Norm
{
    readonly DeviceTensor _gain;
    readonly DeviceTensor? _bias;

    /// <summary>[d] the multiplicative gain as applied (host copy, e.g. for SOMP's FoldFinalNorm).</summary>
    public float[] Gain { get; }
    public float Eps { get; }

    public Norm(ParameterTensors p, float[] gain, float[]? bias, float eps)
    {
        Gain = gain; Eps = eps;
        _gain = p.Vector(gain);
        _bias = bias == null ? null : p.Vector(bias);
    }

    /// <summary>y = norm(x) over the first rows.</summary>
    public void Apply(IBackend b, DeviceTensor x, DeviceTensor y, int rows)
    {
        if (_bias != null) b.LayerNorm(x, _gain, _bias, Eps, y, rows);
        else b.RmsNorm(x, _gain, Eps, y, rows);
    }

    /// <summary>The device gain, for ops that take it directly (QK-norm).</summary>
    public DeviceTensor GainTensor => _gain;

    /// <summary>1 + w elementwise, in float32 as Hugging Face's Gemma RMSNorm computes it.</summary>
    public static float[] OnePlus(float[] w) => Array.ConvertAll(w, v => 1f + v);
}

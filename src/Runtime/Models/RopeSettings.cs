namespace HeadPursuit.Runtime.Models;

/// <summary>
/// How one kind of layer rotates q and k: the base theta and the scaling rule of Hugging Face's rope_type, turned into
/// inverse frequencies here and nowhere else. For rotary dimension count R (the head size, or part of it):
///   inv_freq_j = theta^(-2j / R), j = 0 .. R/2 - 1                      ("default")
///   inv_freq_j / factor                                                ("linear": positions divided by factor)
///   "llama3" (Llama 3.1+): with wavelength w_j = 2 pi / inv_freq_j and old = original_max_position_embeddings,
///     w_j &lt; old / high_freq_factor: unchanged;  w_j > old / low_freq_factor: inv_freq_j / factor;
///     otherwise s = (old / w_j - low) / (high - low) and inv_freq_j ((1 - s) / factor + s).
/// The cos/sin are not rescaled for these types (attention factor 1). Other rope types are refused by name.
/// Multimodal RoPE (Qwen2-VL, Qwen2.5-VL: rope_type "mrope", or "default" with an "mrope_section" list) keeps the default
/// frequencies and splits them into sections rotated by the temporal, height and width positions (<see cref="MropeSection"/>).
/// </summary>
internal sealed record RopeSettings(double Theta, string Type = "default", double Factor = 1, double LowFreqFactor = 0,
                                  double HighFreqFactor = 0, int OriginalMaxPositions = 0)
{
    public static readonly string[] SupportedTypes = ["default", "linear", "llama3", "mrope"];

    /// <summary>Frequencies per section (t, h, w) of multimodal RoPE, summing to rotary dims / 2; null for 1-D RoPE.</summary>
    public (int T, int H, int W)? MropeSection { get; init; }

    public double[] InverseFrequencies(int rotaryDims)
    {
        var inv = new double[rotaryDims / 2];
        for (int j = 0; j < inv.Length; j++)
        {
            double f = Math.Pow(Theta, -2.0 * j / rotaryDims);
            inv[j] = Type switch
            {
                "linear" => f / Factor,
                "llama3" => Llama3(f),
                _ => f,
            };
        }
        return inv;
    }

    double Llama3(double f)
    {
        double wavelength = 2 * Math.PI / f;
        double lowWavelength = OriginalMaxPositions / LowFreqFactor, highWavelength = OriginalMaxPositions / HighFreqFactor;
        if (wavelength < highWavelength) return f;
        if (wavelength > lowWavelength) return f / Factor;
        double s = (OriginalMaxPositions / wavelength - LowFreqFactor) / (HighFreqFactor - LowFreqFactor);
        return f * ((1 - s) / Factor + s);
    }

    /// <summary>
    /// The RoPE of a config: "rope_parameters" (transformers >= 5: the type, its numbers and rope_theta in one object),
    /// else <paramref name="thetaKey"/> beside "rope_scaling" (the type under "rope_type" or, in older files, "type").
    /// </summary>
    public static RopeSettings Read(ConfigReader r, double defaultTheta, string thetaKey = "rope_theta")
    {
        if (r.Object("rope_parameters") is { } p && !p.Has("full_attention"))
            return FromObject(p, p.Double("rope_theta") ?? r.Double(thetaKey) ?? defaultTheta);
        double theta = r.Double(thetaKey) ?? defaultTheta;
        return r.Object("rope_scaling") is { } s ? FromObject(s, theta) : new RopeSettings(theta);
    }

    /// <summary>The rope of one layer type from a per-layer-type "rope_parameters" object (Gemma 3 in transformers >= 5), or null.</summary>
    public static RopeSettings? ReadForLayerType(ConfigReader r, string layerType, double defaultTheta) =>
        r.Object("rope_parameters")?.Object(layerType) is { } p ? FromObject(p, p.Double("rope_theta") ?? defaultTheta) : null;

    /// <summary>"mrope_section": [t, h, w] when present.</summary>
    static (int, int, int)? Sections(ConfigReader s)
    {
        if (!s.Has("mrope_section")) return null;
        var ints = s.IntOrList("mrope_section");
        return ints.Length == 3 && ints.All(x => x >= 0) ? (ints[0], ints[1], ints[2]) : throw s.Unsupported("mrope_section", "three non-negative integers [t, h, w]");
    }

    /// <summary>A rope_scaling (or rope_parameters) object with the given theta.</summary>
    public static RopeSettings FromObject(ConfigReader s, double theta)
    {
        string key = s.Has("rope_type") ? "rope_type" : "type";
        string type = s.String(key) ?? "default";
        if (!SupportedTypes.Contains(type)) throw s.Unsupported(key, string.Join(", ", SupportedTypes));
        double Required(string field) => s.Double(field) ?? throw new ModelFormatException($"{s.Source}: {s.Name(field)} is required for rope_type \"{type}\"");
        var settings = type switch
        {
            "default" or "mrope" => new RopeSettings(theta) { MropeSection = Sections(s) },
            "linear" => new RopeSettings(theta, type, Required("factor")),
            _ => new RopeSettings(theta, type, Required("factor"), Required("low_freq_factor"), Required("high_freq_factor"),
                                  s.Int("original_max_position_embeddings") ?? throw new ModelFormatException($"{s.Source}: {s.Name("original_max_position_embeddings")} is required for rope_type \"llama3\"")),
        };
        if (type == "mrope" && settings.MropeSection == null) throw new ModelFormatException($"{s.Source}: {s.Name("mrope_section")} is required for rope_type \"mrope\"");
        if (settings.Factor <= 0) throw s.Unsupported("factor", "a positive number");
        if (type == "llama3" && !(settings.HighFreqFactor > settings.LowFreqFactor)) throw s.Unsupported("high_freq_factor", "a value above low_freq_factor");
        return settings;
    }
}

namespace HeadPursuit.Runtime.Vision;

/// <summary>Every intermediate of one image through the vision tower and projector, for verification and hooks.</summary>
internal sealed class VisionRecording(ClipVisionConfig c)
{
    /// <summary>[Lv + 1, N, Dv]: the embeddings (after CLIP's pre_layrnorm), then after each encoder layer (HF hidden_states).</summary>
    public float[] HiddenStates { get; } = new float[(c.Layers + 1) * c.Rows * c.Hidden];
    /// <summary>[Lv, Hv, N, N]: attention probabilities of each layer.</summary>
    public float[] AttnProbs { get; } = new float[c.Layers * c.Heads * c.Rows * c.Rows];
    /// <summary>[n_img, Dv]: the selected hidden states fed to the projector.</summary>
    public float[] Selected { get; set; } = [];
}

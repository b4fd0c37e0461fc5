namespace HeadPursuit.Runtime.Models;

/// <summary>
/// Every intermediate of one <see cref="SequenceClassifier"/> call over <see cref="Texts"/> texts packed into
/// <see cref="Rows"/> rows, for checking against reference dumps (the encoder's counterpart of <see cref="ForwardRecording"/>).
/// </summary>
internal sealed class ClassifierRecording(int layers, int rows, int texts, int heads, int dHead, int dModel, bool probs)
{
    public int Rows { get; } = rows;
    public int Texts { get; } = texts;
    /// <summary>[L + 1, rows, d_model]: the normalised embeddings, then the hidden states after each layer (HF hidden_states).</summary>
    public float[] Resid { get; } = new float[(layers + 1) * rows * dModel];
    /// <summary>[L, rows, H, d_head]: each head's attention-weighted values, the input of attention.output.dense.</summary>
    public float[] Z { get; } = new float[layers * rows * heads * dHead];
    /// <summary>[L, rows, d_model]: attention.output.dense's output (the heads' writes + bias), before the residual and LayerNorm.</summary>
    public float[] AttnOut { get; } = new float[layers * rows * dModel];
    /// <summary>[L, H, rows, rows]: attention probabilities; one text only.</summary>
    public float[]? Probs { get; } = probs ? new float[layers * heads * rows * rows] : null;
    /// <summary>[texts, d_model]: tanh(classifier.dense(x[&lt;s&gt;])).</summary>
    public float[] ClsDense { get; } = new float[texts * dModel];
}

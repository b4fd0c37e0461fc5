namespace HeadPursuit.Runtime.Cpu;

/// <summary>
/// How a weight matrix is stored. HF nn.Linear keeps weight as [out, in] (y = x W^T);
/// GPT-2's Conv1D keeps it as [in, out] (y = x W).
/// </summary>
internal enum WeightLayout { OutIn, InOut }

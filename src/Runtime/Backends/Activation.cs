namespace HeadPursuit.Runtime.Backends;

/// <summary>
/// The element-wise MLP activations the families use (Hugging Face's ACT2FN names in brackets):
///   GeluTanh  0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))   ("gelu_new", "gelu_pytorch_tanh")
///   GeluErf   0.5 x (1 + erf(x / sqrt 2))                         ("gelu")
///   Silu      x * sigmoid(x)                                      ("silu", "swish")
/// </summary>
internal enum Activation { GeluTanh, GeluErf, Silu }

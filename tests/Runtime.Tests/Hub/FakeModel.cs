using System.Text;
using HeadPursuit.Runtime.SafeTensors;

namespace HeadPursuit.Runtime.Tests.Hub;

/// <summary>Small made-up model files for the fake hub: a config, a tokenizer and safetensors weights.</summary>
static class FakeModel
{
    public static readonly byte[] Config = Encoding.UTF8.GetBytes("{\"model_type\": \"gpt2\", \"n_layer\": 1}");
    public static readonly byte[] Tokenizer = Encoding.UTF8.GetBytes("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}}}");

    /// <summary>Values of the tensor <paramref name="name"/>: [rows, 256] floats, distinct per name and position.</summary>
    public static float[] Values(string name, int rows)
    {
        var v = new float[rows * 256]; // [rows, 256]
        int salt = name.Length * 7919;
        for (int i = 0; i < v.Length; i++) v[i] = (i * 31 + salt) % 1009 / 1009f - 0.5f;
        return v;
    }

    /// <summary>A safetensors file holding the named tensors, each [rows, 256] F32 (rows * 1 KiB of data).</summary>
    public static byte[] Weights(int rows, params string[] names)
    {
        var w = new SafeTensorsWriter();
        foreach (string n in names) w.Add(n, [rows, 256], Values(n, rows));
        return w.ToBytes();
    }

    /// <summary>model.safetensors.index.json mapping each tensor to its shard.</summary>
    public static byte[] Index(params (string Tensor, string Shard)[] map) =>
        Encoding.UTF8.GetBytes("{\"metadata\": {}, \"weight_map\": {" +
            string.Join(", ", map.Select(m => $"\"{m.Tensor}\": \"{m.Shard}\"")) + "}}");
}

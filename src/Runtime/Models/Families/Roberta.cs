using HeadPursuit.Runtime.Backends;
using HeadPursuit.Runtime.Cpu;

namespace HeadPursuit.Runtime.Models.Families;

/// <summary>
/// RoBERTa sequence classification (HF RobertaForSequenceClassification, model_type "roberta"), e.g.
/// s-nlp/roberta_toxicity_classifier. An encoder, not a causal language model: it scores whole texts, so it runs as a
/// <see cref="SequenceClassifier"/> rather than through <see cref="Transformer"/>. Per text of token ids (with &lt;s&gt; and &lt;/s&gt;):
///   pos[t] = pad + (non-pad tokens in ids[0..t]), or pad for a pad token   (HF create_position_ids_from_input_ids)
///   x = LayerNorm(word[ids] + position[pos] + token_type[0])
///   per layer (post-LayerNorm, as BERT):
///     a = LayerNorm_attn(dense(attention(x)) + x)       attention bidirectional: every token sees its whole text
///     x = LayerNorm_out(output(act(intermediate(a))) + a)
///   logits = out_proj(tanh(dense(x[0])))                 the classification head reads &lt;s&gt;
/// Texts are packed end to end with no padding: a padded HF batch with its attention mask equals the packed run of the
/// unpadded texts (pads get no probability as keys, and position ids count only real tokens).
/// </summary>
internal static class Roberta
{
    public static IReadOnlyList<string> ModelTypes { get; } = ["roberta"];
    public const string Architecture = "RobertaForSequenceClassification";

    public sealed record Config
    {
        public required int Layers { get; init; }
        public required int Heads { get; init; }
        public required int DModel { get; init; }
        public int DHead => DModel / Heads;
        public required int DFF { get; init; }
        public required int Vocab { get; init; }
        public required int MaxPositions { get; init; }
        public required int TypeVocab { get; init; }
        /// <summary>pad_token_id, which is also the position embeddings' padding index.</summary>
        public required int PadId { get; init; }
        public required float NormEps { get; init; }
        public required Activation Activation { get; init; }
        /// <summary>[labels]: the label names by id (id2label).</summary>
        public required string[] Labels { get; init; }
        /// <summary>Each label's probability is its own sigmoid (multi-label, or one label) instead of a softmax over all.</summary>
        public required bool Sigmoid { get; init; }

        /// <summary>The most tokens one text may have, &lt;s&gt; and &lt;/s&gt; included: positions run from pad + 1.</summary>
        public int MaxTokens => MaxPositions - PadId - 1;
    }

    /// <summary>
    /// HF RobertaConfig's defaults fill absent keys (hidden_size 768, 12 layers, 12 heads, intermediate_size 3072, gelu,
    /// vocab 50265, max_position_embeddings 512, type_vocab_size 2, layer_norm_eps 1e-12, pad_token_id 1); the labels come
    /// from id2label (else num_labels, default 2, named LABEL_i). Refused, naming the field: another architecture, relative
    /// position embeddings, a decoder, cross-attention, a regression head.
    /// </summary>
    public static Config ReadConfig(ConfigReader r)
    {
        if (r.Strings("architectures") is { } architectures && !architectures.Contains(Architecture)) throw r.Unsupported("architectures", $"[\"{Architecture}\"]");
        if ((r.String("position_embedding_type") ?? "absolute") != "absolute") throw r.Unsupported("position_embedding_type", "\"absolute\"");
        if (r.Bool("is_decoder") == true) throw r.Unsupported("is_decoder", "false: an encoder");
        if (r.Bool("add_cross_attention") == true) throw r.Unsupported("add_cross_attention", "false");
        string problem = r.String("problem_type") ?? "single_label_classification";
        if (problem is not ("single_label_classification" or "multi_label_classification"))
            throw r.Unsupported("problem_type", "single_label_classification, multi_label_classification");
        int d = r.Int("hidden_size") ?? 768, heads = r.Int("num_attention_heads") ?? 12;
        if (heads <= 0 || d % heads != 0) throw new ModelFormatException($"{r.Source}: hidden_size {d} is not a multiple of num_attention_heads {heads}");
        var labels = Labels(r);
        var c = new Config
        {
            Layers = r.Int("num_hidden_layers") ?? 12, Heads = heads, DModel = d, DFF = r.Int("intermediate_size") ?? 3072,
            Vocab = r.Int("vocab_size") ?? 50265, MaxPositions = r.Int("max_position_embeddings") ?? 512, TypeVocab = r.Int("type_vocab_size") ?? 2,
            PadId = r.Int("pad_token_id") ?? 1, NormEps = r.NormEpsilon("layer_norm_eps", 1e-12),
            Activation = r.Activation("hidden_act", "gelu", "gelu", "gelu_new", "gelu_pytorch_tanh", "silu", "swish"),
            Labels = labels, Sigmoid = problem == "multi_label_classification" || labels.Length == 1,
        };
        foreach (var (v, field) in new[] { (c.Layers, "num_hidden_layers"), (c.DFF, "intermediate_size"), (c.Vocab, "vocab_size"), (c.TypeVocab, "type_vocab_size") })
            if (v <= 0) throw new ModelFormatException($"{r.Source}: {field} = {v} must be positive");
        if (c.PadId < 0 || c.MaxTokens < 2)
            throw new ModelFormatException($"{r.Source}: max_position_embeddings {c.MaxPositions} leaves no room for a text: positions start at pad_token_id + 1 = {c.PadId + 1}");
        if (!(c.NormEps > 0)) throw new ModelFormatException($"{r.Source}: layer_norm_eps {c.NormEps} must be positive");
        return c;
    }

    /// <summary>id2label as a list by id (ids 0..n-1, each once), checked against num_labels; else LABEL_0.. for num_labels (default 2).</summary>
    static string[] Labels(ConfigReader r)
    {
        int? count = r.Int("num_labels");
        if (r.Object("id2label") is not { } map)
        {
            int n = count ?? 2;
            if (n <= 0) throw new ModelFormatException($"{r.Source}: num_labels = {n} must be positive");
            return [.. Enumerable.Range(0, n).Select(i => $"LABEL_{i}")];
        }
        var byId = new SortedDictionary<int, string>();
        foreach (string key in map.Keys)
        {
            if (!int.TryParse(key, out int id) || id < 0) throw new ModelFormatException($"{r.Source}: id2label key \"{key}\" is not a label id");
            byId[id] = map.String(key) ?? throw new ModelFormatException($"{r.Source}: id2label \"{key}\" has no name");
        }
        if (byId.Count == 0 || byId.Keys.Last() != byId.Count - 1)
            throw new ModelFormatException($"{r.Source}: id2label must name the labels 0..n-1, it names {string.Join(", ", byId.Keys)}");
        if (count is int given && given != byId.Count)
            throw new ModelFormatException($"{r.Source}: num_labels = {given} but id2label names {byId.Count} labels");
        return [.. byId.Values];
    }

    /// <summary>Loads RobertaForSequenceClassification's tensors onto a backend, checking every shape. The pooler and the position_ids buffer are not used.</summary>
    public static Model Load(Config c, CheckpointTensors t, ParameterTensors b)
    {
        int d = c.DModel, f = c.DFF;
        const string e = "roberta.embeddings.";
        float[] V(string name, int n) => t.Vector(name, n);
        Norm LayerNorm(string prefix) => new(b, V(prefix + "weight", d), V(prefix + "bias", d), c.NormEps);
        var layers = new Layer[c.Layers];
        var outputs = new OutputProjection[c.Layers];
        for (int i = 0; i < c.Layers; i++)
        {
            string s = $"roberta.encoder.layer.{i}.", self = s + "attention.self.";
            var qkv = t.StackedLinear($"{self}query|key|value", d, (self + "query.weight", d), (self + "key.weight", d), (self + "value.weight", d));
            float[] qkvBias = [.. V(self + "query.bias", d), .. V(self + "key.bias", d), .. V(self + "value.bias", d)];
            outputs[i] = new OutputProjection(t.Linear(s + "attention.output.dense.weight", d, d), V(s + "attention.output.dense.bias", d));
            layers[i] = new Layer(b.Matrix(qkv), b.Vector(qkvBias), b.Matrix(outputs[i].Weight), b.Vector(outputs[i].Bias!),
                LayerNorm(s + "attention.output.LayerNorm."),
                b.Matrix(t.Linear(s + "intermediate.dense.weight", f, d)), b.Vector(V(s + "intermediate.dense.bias", f)),
                b.Matrix(t.Linear(s + "output.dense.weight", d, f)), b.Vector(V(s + "output.dense.bias", d)),
                LayerNorm(s + "output.LayerNorm."));
        }
        var head = new Head(b.Matrix(t.Linear("classifier.dense.weight", d, d)), b.Vector(V("classifier.dense.bias", d)),
                            b.Matrix(t.Linear("classifier.out_proj.weight", c.Labels.Length, d)), b.Vector(V("classifier.out_proj.bias", c.Labels.Length)));
        return new Model(c, b, b.Table(t.Get(e + "word_embeddings.weight", c.Vocab, d)), b.Table(t.Get(e + "position_embeddings.weight", c.MaxPositions, d)),
                         b.Table(t.Get(e + "token_type_embeddings.weight", c.TypeVocab, d)), LayerNorm(e + "LayerNorm."), layers, outputs, head);
    }

    internal sealed record Layer(DeviceTensor Qkv, DeviceTensor QkvBias, DeviceTensor O, DeviceTensor OBias, Norm AttnNorm,
                        DeviceTensor Inter, DeviceTensor InterBias, DeviceTensor Out, DeviceTensor OutBias, Norm OutNorm);

    internal sealed record Head(DeviceTensor Dense, DeviceTensor DenseBias, DeviceTensor OutProj, DeviceTensor OutProjBias);

    /// <summary>HF create_position_ids_from_input_ids for one text: pad + the running count of non-pad tokens, pad at pad tokens.</summary>
    public static int[] PositionIds(ReadOnlySpan<int> ids, int padId)
    {
        var positions = new int[ids.Length];
        int real = 0;
        for (int t = 0; t < ids.Length; t++) positions[t] = ids[t] == padId ? padId : padId + ++real;
        return positions;
    }

    /// <summary>The loaded classifier: its forward pass as backend ops over packed texts.</summary>
    public sealed class Model : IDisposable
    {
        readonly Config _c;
        readonly ParameterTensors _parameters;   // every tensor Load placed on the backend
        readonly IBackend _b;
        readonly DeviceTensor _word, _position, _type;
        readonly Norm _embedNorm;
        readonly Layer[] _layers;
        readonly OutputProjection[] _outputs;
        readonly Head _head;
        readonly AttentionShape _shape;
        Workspace? _ws;

        internal Model(Config c, ParameterTensors parameters, DeviceTensor word, DeviceTensor position, DeviceTensor type, Norm embedNorm, Layer[] layers,
                       OutputProjection[] outputs, Head head)
        {
            _c = c; _parameters = parameters; _b = parameters.Backend; _word = word; _position = position; _type = type; _embedNorm = embedNorm; _layers = layers; _outputs = outputs; _head = head;
            _shape = new AttentionShape(c.Heads, c.Heads, c.DHead);   // no window, no RoPE, scale 1/sqrt(d_head)
        }

        public Config Config => _c;

        /// <summary>Layer l's attention.output.dense on the host (its input blocks are the heads' W_O).</summary>
        public OutputProjection Output(int layer) => _outputs[layer];

        /// <summary>Frees the model's tensors on the backend.</summary>
        public void Dispose()
        {
            _ws?.Dispose();
            _parameters.Dispose();
        }

        /// <summary>
        /// Logits [n, labels] of n texts (token ids with &lt;s&gt; first, as the tokenizer's post-processor makes them),
        /// run packed in one call. <paramref name="record"/>, when given, receives every intermediate.
        /// </summary>
        public float[] Logits(IReadOnlyList<int[]> texts, ClassifierRecording? record = null)
        {
            var c = _c;
            int n = texts.Count;
            if (n == 0) return [];
            var lengths = texts.Select(ids => ids.Length).ToArray();
            for (int i = 0; i < n; i++)
            {
                if (lengths[i] == 0) throw new ArgumentException($"text {i} has no tokens");
                if (lengths[i] > c.MaxTokens) throw new ArgumentException($"text {i} has {lengths[i]} tokens, more than the model's {c.MaxTokens} (max_position_embeddings {c.MaxPositions} from pad_token_id + 1)");
                foreach (int id in texts[i])
                    if ((uint)id >= c.Vocab) throw new ArgumentException($"text {i}: token id {id} is outside the vocabulary of {c.Vocab}");
            }
            int[] tokens = [.. texts.SelectMany(ids => ids)];   // [rows]
            int[] positions = [.. texts.SelectMany(ids => PositionIds(ids, c.PadId))];   // [rows]
            int rows = tokens.Length, maxT = lengths.Max();
            // Bidirectional attention: each row's block is its whole text (positions 0..length-1 of its sequence).
            int[] first = new int[rows], last = [.. lengths.SelectMany(len => Enumerable.Repeat(len - 1, len))];
            var layout = new BatchLayout([.. Enumerable.Range(0, n)], new int[n], lengths, blockFirst: first, blockLast: last);
            if (record != null && (record.Rows != rows || record.Texts != n)) throw new ArgumentException("the recording was sized for another batch");
            var ws = Workspace.For(_ws, _b, c, rows, n, n * maxT);
            if (ws != _ws) { _ws?.Dispose(); _ws = ws; }
            var b = _b;

            b.Embed(_word, tokens, ws.H, accumulate: false);
            b.Embed(_position, positions, ws.H, accumulate: true);
            b.Embed(_type, ws.TokenTypes.AsSpan(0, rows), ws.H, accumulate: true);   // every token is of type 0
            _embedNorm.Apply(b, ws.H, ws.X, rows);
            if (record != null) b.Download(ws.X, rows, record.Resid.AsSpan(0, rows * c.DModel));
            for (int l = 0; l < c.Layers; l++)
            {
                Block(l, layout, ws, record);
                if (record != null) b.Download(ws.X, rows, record.Resid.AsSpan((l + 1) * rows * c.DModel, rows * c.DModel));
            }

            b.GatherRows(ws.X, layout.RowStart, ws.Cls);              // x[<s>] of each text
            b.MatMul(ws.Cls, _head.Dense, _head.DenseBias, ws.ClsDense, n);
            b.SoftCap(ws.ClsDense, 1f, n);                             // tanh(x) = 1 * tanh(x / 1)
            if (record != null) b.Download(ws.ClsDense, n, record.ClsDense);
            b.MatMul(ws.ClsDense, _head.OutProj, _head.OutProjBias, ws.Logits, n);
            var logits = new float[n * c.Labels.Length];   // [n, labels]
            b.Download(ws.Logits, n, logits);
            return logits;
        }

        /// <summary>One post-LayerNorm encoder layer on the residual stream ws.X.</summary>
        void Block(int l, BatchLayout layout, Workspace ws, ClassifierRecording? record)
        {
            var (L, b, c, rows) = (_layers[l], _b, _c, layout.Rows);
            b.MatMul(ws.X, L.Qkv, L.QkvBias, ws.Qkv, rows);            // q | k | v
            float[]? probs = record?.Probs != null ? new float[c.Heads * rows * rows] : null;   // [H, rows, rows]
            b.Attention(ws.Qkv, layout, _shape, ws.K, ws.V, layout.Length.Max(), ws.Z, new HeadEpilogue { Probs = probs });
            b.MatMul(ws.Z, L.O, L.OBias, ws.Attn, rows);               // attention.output.dense: the heads' writes, summed
            if (record != null)
            {
                int q = c.Heads * c.DHead, d = c.DModel;
                b.Download(ws.Z, rows, record.Z.AsSpan(l * rows * q, rows * q));
                b.Download(ws.Attn, rows, record.AttnOut.AsSpan(l * rows * d, rows * d));
                probs?.CopyTo(record.Probs!.AsSpan(l * probs.Length));
            }
            b.Add(ws.Attn, ws.X, rows);                                // attn_out + x
            L.AttnNorm.Apply(b, ws.Attn, ws.X, rows);                  // x = a = LayerNorm_attn(attn_out + x)
            b.MatMul(ws.X, L.Inter, L.InterBias, ws.Up, rows);
            b.Activate(ws.Up, c.Activation, rows);
            b.MatMul(ws.Up, L.Out, L.OutBias, ws.Mlp, rows);
            b.Add(ws.Mlp, ws.X, rows);                                 // output(act(intermediate(a))) + a
            L.OutNorm.Apply(b, ws.Mlp, ws.X, rows);                    // x = LayerNorm_out(...)
        }
    }

    /// <summary>Buffers for a number of rows, texts and key/value rows, reused while they fit.</summary>
    sealed class Workspace : IDisposable
    {
        public required int Rows, Texts, KvRows;
        public required DeviceTensor X, H, Qkv, Z, Attn, Up, Mlp, K, V, Cls, ClsDense, Logits;
        public required int[] TokenTypes;   // [Rows] zeros

        public static Workspace For(Workspace? current, IBackend b, Config c, int rows, int texts, int kvRows)
        {
            if (current != null && current.Rows >= rows && current.Texts >= texts && current.KvRows >= kvRows) return current;
            int r = Math.Max(rows, current?.Rows ?? 0), n = Math.Max(texts, current?.Texts ?? 0), kv = Math.Max(kvRows, current?.KvRows ?? 0);
            int d = c.DModel;
            return new Workspace
            {
                Rows = r, Texts = n, KvRows = kv, TokenTypes = new int[r],
                X = b.Activations(r, d), H = b.Activations(r, d), Qkv = b.Activations(r, 3 * d), Z = b.Activations(r, d),   // [rows, *]
                Attn = b.Activations(r, d), Up = b.Activations(r, c.DFF), Mlp = b.Activations(r, d),
                K = b.Activations(kv, d), V = b.Activations(kv, d),   // [texts * max length, d]: text i's keys at rows i*maxT..
                Cls = b.Activations(n, d), ClsDense = b.Activations(n, d), Logits = b.Activations(n, c.Labels.Length),   // [texts, *]
            };
        }

        public void Dispose()
        {
            foreach (var t in new[] { X, H, Qkv, Z, Attn, Up, Mlp, K, V, Cls, ClsDense, Logits }) t.Dispose();
        }
    }
}

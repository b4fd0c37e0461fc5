using HeadPursuit.Runtime.Backends.Cpu;
using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Generation;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Somp;

// A model folder or a Hugging Face hub id; by default TinyWorld, the small GPT-2 copied beside this program.
string model = args.Length > 0 ? args[0] : Path.Combine(AppContext.BaseDirectory, "tinyworld-gpt2");
using var backend = new CpuBackend();
using var loaded = LoadedModel.Load(model, backend);
var tokenizer = loaded.RequireTokenizer();

// 1. Capture every head's output, averaged over each prompt's positions (special tokens left out).
int[][] prompts = [.. File.ReadLines(Path.Combine(AppContext.BaseDirectory, "capture_prompts.txt")).Select(p => tokenizer.Encode(p))];
var activations = new HeadCapture(loaded.Model).Run(prompts, CapturePositionMasks.For(tokenizer, prompts, CapturePositions.AllButSpecial));

// 2. Rank every head for a concept with SOMP against the unembedding rows of the concept's tokens.
var concept = ConceptLists.Load("colours", word => tokenizer.Encode(word));
var readout = ModelReadout.From(loaded.Model);
var ranking = new HeadScorer(activations, readout.Blocks, readout.Unembedding, new SompOptions()).Rank(concept.Name, concept.TokenIds);
Console.WriteLine(ranking.ToMarkdown(top: 5));

// 3. Steer: generate with the five best heads scaled by alpha = -1, beside the unmodified model.
var scales = new HeadScales(loaded.Model.Config.Layers, loaded.Model.Config.Heads);
foreach (var head in ranking.Top(5)) scales[head.Layer, head.Head] = -1f;
int[][] story = [tokenizer.Encode("On a sunny day, Emma found a")];
var options = new SamplingOptions { MaxNewTokens = 16, StopTokens = loaded.Model.Config.EosIds };
var generator = new Generator(loaded.Model);
Console.WriteLine("unmodified: " + tokenizer.Decode(generator.Generate(story, options).NewTokens[0], skipSpecialTokens: true));
Console.WriteLine("steered:    " + tokenizer.Decode(generator.Generate(story, options, scales).NewTokens[0], skipSpecialTokens: true));

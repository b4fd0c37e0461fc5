using HeadPursuit.Runtime.Capture;
using HeadPursuit.Runtime.Generation;
using HeadPursuit.Runtime.Models;
using HeadPursuit.Somp;
using HeadPursuit.Tests;

namespace HeadPursuit.Kernels.Emulated.Tests;

/// <summary>Device memory: what a model, its generation, a capture and on-device SOMP allocate is freed when they are disposed.</summary>
[Collection("device memory")]
public class DeviceMemoryTests
{
    [Fact]
    public void Every_device_allocation_is_freed_when_the_model_and_backend_are_disposed()
    {
        long before = Emulator.LiveAllocations();
        using (var cuda = Emulator.Backend())
        {
            using (var model = Transformer.Load(Fixtures.Path("gemma3-text-tiny"), cuda))
            {
                // Two generations of different batch sizes grow the workspace and the logits once each.
                var generator = new Generator(model);
                generator.Generate([[2, 17, 900, 33]], new SamplingOptions { MaxNewTokens = 3 });
                generator.Generate([[2, 5, 6], [2, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22]], new SamplingOptions { MaxNewTokens = 2 });
                var acts = new HeadCapture(model).Run([[2, 40, 41, 42], [2, 43, 44]], [[false, true, true, true], [false, true, true]]);
                var readout = ModelReadout.From(model);
                new HeadScorer(acts, readout.Blocks, readout.Unembedding, new SompOptions(Center: false), solver: new CudaSomp(cuda.Context)).Rank("test", [3, 9, 27]);
                Assert.True(Emulator.LiveAllocations() > before);
            }
            Assert.True(Emulator.LiveAllocations() > before);   // the backend's own scratch buffers remain until it goes
        }
        Assert.Equal(before, Emulator.LiveAllocations());
    }
}

/// <summary>Tests that count the process's device allocations run alone.</summary>
[CollectionDefinition("device memory", DisableParallelization = true)]
public sealed class DeviceMemoryCollection;

using HeadPursuit.Runtime.Tokenizers;
using HeadPursuit.Tests;

namespace HeadPursuit.Runtime.Tests.Tokenizers;

/// <summary>Prompt strings for each family, checked by hand against the families' reference chat templates.</summary>
public sealed class ChatFormatTests
{
    [Fact]
    public void Llama2()
    {
        var f = ChatFormat.ByName("llama2");
        Assert.Equal("<s>[INST] Hi there [/INST]", f.Format(" Hi there "));
        Assert.Equal("<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST]", f.Format("Hi", "Be brief."));
    }

    [Fact]
    public void Mistral()
    {
        var f = ChatFormat.ByName("mistral");
        Assert.Equal("<s>[INST] Hi [/INST]", f.Format("Hi"));
        Assert.Equal("<s>[INST] Be brief.\n\nHi [/INST]", f.Format("Hi", "Be brief."));
    }

    [Fact]
    public void Llama3()
    {
        var f = ChatFormat.ByName("llama3");
        Assert.Equal("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n", f.Format("Hi"));
        Assert.Equal("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
                   + "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n", f.Format("Hi\n", "Be brief."));
    }

    [Fact]
    public void ChatML()
    {
        var f = ChatFormat.ByName("qwen2");
        Assert.Equal(ChatFamily.ChatML, f.Family);
        Assert.Equal("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", f.Format("Hi"));
        Assert.Equal("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
                     f.Format("Hi", "You are a helpful assistant."));
    }

    [Fact]
    public void Gemma()
    {
        var f = ChatFormat.ByName("gemma");
        Assert.Equal("<bos><start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\n", f.Format("Hi"));
        Assert.Equal("<bos><start_of_turn>user\nBe brief.\n\nHi<end_of_turn>\n<start_of_turn>model\n", f.Format("Hi", "Be brief."));
    }

    [Theory]
    [InlineData("{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}", nameof(ChatFamily.ChatML))]
    [InlineData("{{ bos_token }}{% for m in messages %}{{ '<|start_header_id|>' + m['role'] + '<|end_header_id|>\n\n' + m['content'] | trim + '<|eot_id|>' }}{% endfor %}", nameof(ChatFamily.Llama3))]
    [InlineData("{{ bos_token }}{% for m in messages %}{{ '<start_of_turn>' + m['role'] + '\n' }}{% endfor %}", nameof(ChatFamily.Gemma))]
    [InlineData("{% if messages[0]['role'] == 'system' %}{% set s = '<<SYS>>\\n' + messages[0]['content'] + '\\n<</SYS>>\\n\\n' %}{% endif %}{{ bos_token + '[INST] ' + s + content + ' [/INST]' }}", nameof(ChatFamily.Llama2))]
    [InlineData("{{ bos_token }}{% for m in messages %}{{ '[INST] ' + m['content'] + ' [/INST]' }}{% endfor %}", nameof(ChatFamily.Mistral))]
    public void DetectsTheFamilyFromTheTemplate(string template, string family) =>
        Assert.Equal(Enum.Parse<ChatFamily>(family), ChatFormat.FromTemplate(template).Family);

    [Fact]
    public void UnknownTemplatesAndNamesAreRefused()
    {
        Assert.Throws<ArgumentException>(() => ChatFormat.FromTemplate("{{ messages }}"));
        Assert.Throws<ArgumentException>(() => ChatFormat.ByName("vicuna"));
        var stories = Tokenizer.FromFolder(Path.GetDirectoryName(Fixtures.Path("stories260K", "tokenizer.json"))!);
        Assert.Contains("chat_template", Assert.Throws<ArgumentException>(() => ChatFormat.FromTokenizer(stories)).Message);
    }

    [Fact]
    public void Llama2PromptEncodesWithItsBosAsASpecialToken()
    {
        var stories = Tokenizer.FromFolder(Path.GetDirectoryName(Fixtures.Path("stories260K", "tokenizer.json"))!);
        int[] ids = stories.Encode(ChatFormat.ByName("llama2").Format("Hi"));
        Assert.Equal(1, ids[0]);
        Assert.Equal(1, ids.Count(id => id == 1));
    }
}

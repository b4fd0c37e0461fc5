namespace HeadPursuit.Runtime.Tokenizers;

/// <summary>The prompt layouts <see cref="ChatFormat"/> knows.</summary>
internal enum ChatFamily
{
    /// <summary>Llama 2 chat: &lt;s&gt;[INST] &lt;&lt;SYS&gt;&gt;\n...\n&lt;&lt;/SYS&gt;&gt;\n\nuser [/INST]</summary>
    Llama2,
    /// <summary>Mistral instruct: &lt;s&gt;[INST] system\n\nuser [/INST] (the system text joins the first user turn)</summary>
    Mistral,
    /// <summary>Llama 3: &lt;|begin_of_text|&gt; and &lt;|start_header_id|&gt;role&lt;|end_header_id|&gt;\n\n... &lt;|eot_id|&gt; blocks</summary>
    Llama3,
    /// <summary>ChatML (Qwen2): &lt;|im_start|&gt;role\n...&lt;|im_end|&gt;\n blocks</summary>
    ChatML,
    /// <summary>Gemma: &lt;bos&gt;&lt;start_of_turn&gt;user\n...&lt;end_of_turn&gt;\n&lt;start_of_turn&gt;model\n</summary>
    Gemma,
}

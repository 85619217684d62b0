"""A tiny random-initialised Hugging Face causal LM and a token dataset for the callback tests (no download)."""
import torch
from transformers import Qwen2Config, Qwen2ForCausalLM

SEQ_LEN = 8
BATCH = 2


def tiny_model(seed: int = 0) -> Qwen2ForCausalLM:
    torch.manual_seed(seed)
    config = Qwen2Config(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=32)
    return Qwen2ForCausalLM(config)


class TokenDataset(torch.utils.data.Dataset):
    def __init__(self, n: int = 16):
        g = torch.Generator().manual_seed(1)
        self.ids = torch.randint(0, 64, (n, SEQ_LEN), generator=g)

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "labels": self.ids[i]}

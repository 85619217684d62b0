"""The RADAR scoring-model forward contract, shared by the tiny test model and the Hugging Face exporter.

Every model.pt in a RADAR package is a TorchScript module with

    forward(input_ids      [B,T]   int64   token ids; each image placeholder id already repeated tokensPerImage
                                           times per image tile (the Java side expands them),
            attention_mask [B,T,T] bool    allowed[b,i,j]: query i may attend key j (causal, padding and the
                                           packed-candidate blocks are all encoded here by the caller),
            position_ids   [B,T]   int64   1-D positions; packed candidates continue from the prompt's length,
            pixel_values   [B,N,3,H,W] float32  normalised image tiles in prompt order (zero-padded rows),
            target_pos     [B,M]   int64   position whose logits predict the scored token,
            target_ids     [B,M]   int64   the scored token)
      -> (raw_logit [B,M] float32, logsumexp [B,M] float32)

so the [B,T,V] logits never leave the model: only the raw logit of each scored token (what SDS averages) and
the logsumexp of that position (for log-likelihood accuracy) cross into Java.

The code here is deliberately the only place where placeholder merging, mask conversion and target scoring are
written: the tiny model (models/tiny-mllm) and every exported real checkpoint (models/export_hf.py) subclass
RadarScoringModule, so the tests that run the tiny model from Java exercise the same wrapper code as a real
export.
"""
import torch
from torch import nn


def merge_image_features(embeds: torch.Tensor, input_ids: torch.Tensor, image_feats: torch.Tensor,
                         image_token_id: int) -> torch.Tensor:
    """Replaces the k-th placeholder token of each row by the k-th image feature of that row.

    embeds [B,T,D], image_feats [B,K,D] (K = N tiles * tokens per tile; rows with fewer images are zero-padded
    and their extra features are simply never referenced)."""
    is_img = input_ids == image_token_id
    # Index of the feature each placeholder takes: running count of placeholders in the row (non-image
    # positions get index 0 and are discarded by the where below).
    idx = (torch.cumsum(is_img.long(), dim=1) - 1).clamp(min=0)
    gathered = image_feats.gather(1, idx.unsqueeze(-1).expand(-1, -1, image_feats.shape[-1]))
    return torch.where(is_img.unsqueeze(-1), gathered.to(embeds.dtype), embeds)


def additive_mask(attention_mask: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """[B,T,T] allowed-matrix -> [B,1,T,T] additive mask (0 allowed, dtype min forbidden), the form Hugging Face
    decoders accept as a custom 4-D mask. dtype min rather than -inf keeps fully masked (padding) rows NaN-free."""
    allowed = attention_mask.to(torch.bool).unsqueeze(1)
    zero = torch.zeros((1,), dtype=dtype, device=attention_mask.device)
    neg = torch.full((1,), torch.finfo(dtype).min, dtype=dtype, device=attention_mask.device)
    return torch.where(allowed, zero, neg)


def score_targets(hidden: torch.Tensor, lm_head: nn.Module, target_pos: torch.Tensor,
                  target_ids: torch.Tensor):
    """Raw logit of target_ids at target_pos and the logsumexp of that position, both [B,M] float32.
    Only the M scored positions go through the LM head: the full [B,T,V] logits are never materialised."""
    h = hidden.gather(1, target_pos.unsqueeze(-1).expand(-1, -1, hidden.shape[-1]))
    logits = lm_head(h).float()
    raw = logits.gather(2, target_ids.unsqueeze(-1)).squeeze(-1)
    return raw, torch.logsumexp(logits, dim=-1)


class RadarScoringModule(nn.Module):
    """Base of every exported scoring module: subclasses provide the four model-specific pieces."""

    def __init__(self, image_token_id: int):
        super().__init__()
        self.image_token_id = image_token_id

    def embed_tokens(self, input_ids: torch.Tensor) -> torch.Tensor:  # [B,T] -> [B,T,D]
        raise NotImplementedError

    def encode_images(self, pixel_values: torch.Tensor) -> torch.Tensor:  # [B,N,3,H,W] -> [B,N*tokens,D]
        raise NotImplementedError

    def decode(self, inputs_embeds: torch.Tensor, mask4d: torch.Tensor, position_ids: torch.Tensor,
               input_ids: torch.Tensor) -> torch.Tensor:  # -> hidden [B,T,D] (final norm applied)
        raise NotImplementedError

    def head(self) -> nn.Module:
        raise NotImplementedError

    def forward(self, input_ids, attention_mask, position_ids, pixel_values, target_pos, target_ids):
        embeds = self.embed_tokens(input_ids)
        feats = self.encode_images(pixel_values)
        embeds = merge_image_features(embeds, input_ids, feats, self.image_token_id)
        mask4d = additive_mask(attention_mask, embeds.dtype)
        hidden = self.decode(embeds, mask4d, position_ids, input_ids)
        return score_targets(hidden, self.head(), target_pos, target_ids)


def causal_allowed(lengths, total: int) -> torch.Tensor:
    """Reference [B,T,T] allowed matrix for plain causal rows of the given lengths (padding attends to itself).
    The Java side builds the same matrix (and the packed-block variant); this one is for Python tests/training."""
    b = len(lengths)
    m = torch.zeros((b, total, total), dtype=torch.bool)
    tri = torch.tril(torch.ones((total, total), dtype=torch.bool))
    for i, n in enumerate(lengths):
        m[i, :n, :n] = tri[:n, :n]
        for p in range(n, total):
            m[i, p, p] = True
    return m

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
    decoders accept as a custom 4-D mask. dtype min rather than -inf keeps fully masked (padding) rows NaN-free.
    Built by arithmetic on the input (no torch.zeros/full): a traced package must not carry the trace device."""
    forbidden = (~attention_mask.to(torch.bool)).unsqueeze(1).to(dtype)
    return forbidden * torch.finfo(dtype).min


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


# The tiny test model's prompt (contract 1: radar-model.json "prompt" + placeholder settings). {images} is replaced
# by "image" once per image; the runtime repeats the placeholder token tokensPerImage times. The real families'
# prompts are not templates: they differ per benchmark source and live in the Java prompt rules
# (dev.radar.scoring.prompt), proven against the reference scripts.
PROMPT_PRESETS = {
    "tiny": {"template": "<bos>{images}Question: {question}\nAnswer:", "image": "<image>\n",
             "answer": " {answer}", "imagePlaceholder": "<image>", "tokensPerImage": 256},
}


def per_candidate_rows(prompt_ids, candidate_ids):
    """Reference layout: one row per candidate (prompt + candidate). Returns [(ids, segments, positions,
    target_pos, target_ids)]; the Java engine builds the same rows (dev.radar.scoring.djl.Row)."""
    rows = []
    for cand in candidate_ids:
        ids = list(prompt_ids) + list(cand)
        n = len(prompt_ids)
        rows.append((ids, [0] * len(ids), list(range(len(ids))), [n - 1 + t for t in range(len(cand))], list(cand)))
    return rows


def packed_row(prompt_ids, candidate_ids):
    """Packed layout: prompt once (segment 0), candidate k in segment k+1 with positions continuing from the
    prompt length; each candidate token is predicted by the last prompt token or its own predecessor."""
    n = len(prompt_ids)
    ids, seg, pos, tpos, tids = list(prompt_ids), [0] * n, list(range(n)), [], []
    for k, cand in enumerate(candidate_ids):
        start = len(ids)
        for t, tok in enumerate(cand):
            tpos.append(n - 1 if t == 0 else start + t - 1)
            tids.append(tok)
            ids.append(tok)
            seg.append(k + 1)
            pos.append(n + t)
    return ids, seg, pos, tpos, tids


def row_allowed(segments, total: int) -> torch.Tensor:
    """[total,total] allowed matrix of one row of len(segments) real tokens: causal, and a token sees the shared
    prompt (segment 0) and its own segment only; padding positions attend to themselves. The Java side
    (BatchRunner) builds the same matrix; this is the one Python copy, for tests and the exporter's checks."""
    n = len(segments)
    m = torch.zeros((total, total), dtype=torch.bool)
    seg = torch.tensor(segments)
    same = (seg.unsqueeze(1) == seg.unsqueeze(0)) | (seg.unsqueeze(0) == 0)
    m[:n, :n] = torch.tril(torch.ones((n, n), dtype=torch.bool)) & same
    for p in range(n, total):
        m[p, p] = True
    return m


def batch_rows(rows, pixel_values, pad_id=0):
    """Pads rows [(ids, segments, positions, target_pos, target_ids)] into the forward contract's tensors.
    pixel_values [N,3,H,W] (the same images for every row). allowed[i,j] = j <= i and (seg[j] == 0 or
    seg[j] == seg[i]); padding positions attend to themselves only."""
    b = len(rows)
    t = max(len(r[0]) for r in rows)
    m = max(len(r[3]) for r in rows)
    ids = torch.full((b, t), pad_id, dtype=torch.long)
    pos = torch.zeros((b, t), dtype=torch.long)
    allowed = torch.zeros((b, t, t), dtype=torch.bool)
    tpos = torch.zeros((b, m), dtype=torch.long)
    tids = torch.zeros((b, m), dtype=torch.long)
    for i, (r_ids, r_seg, r_pos, r_tpos, r_tids) in enumerate(rows):
        n = len(r_ids)
        ids[i, :n] = torch.tensor(r_ids)
        pos[i, :n] = torch.tensor(r_pos)
        allowed[i] = row_allowed(r_seg, t)
        tpos[i, :len(r_tpos)] = torch.tensor(r_tpos)
        tids[i, :len(r_tids)] = torch.tensor(r_tids)
    pix = pixel_values.unsqueeze(0).expand(b, *pixel_values.shape).contiguous()
    return ids, allowed, pos, pix, tpos, tids


def check_packed_equals_per_candidate(module, prompt_ids, candidate_ids, pixel_values, pad_id=0, tol=1e-4):
    """Runs both layouts through module and returns the largest per-token difference of raw logits and
    logsumexps (the packed strategy is only exact when this is ~0)."""
    with torch.no_grad():
        rows = per_candidate_rows(prompt_ids, candidate_ids)
        raw_a, lse_a = module(*batch_rows(rows, pixel_values, pad_id))
        raw_b, lse_b = module(*batch_rows([packed_row(prompt_ids, candidate_ids)], pixel_values, pad_id))
        diff, j = 0.0, 0
        for k, cand in enumerate(candidate_ids):
            for t in range(len(cand)):
                diff = max(diff, abs(raw_a[k, t].item() - raw_b[0, j].item()), abs(lse_a[k, t].item() - lse_b[0, j].item()))
                j += 1
    return diff

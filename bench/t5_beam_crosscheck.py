#!/usr/bin/python3
# Cross-checks pgc's T5 decoding (greedy and beam search) against a second, independent
# implementation on CPU: a plain torch T5 forward that recomputes the whole decoder every step
# (no KV cache, no batching, no padding) and two beam searches written from the transformers
# sources: the 4.3x loop (BeamSearchScorer.process/finalize + BeamHypotheses, what the CAPTURE
# reference ran) and the vectorized _beam_search of 4.5x and later (sequences/beam_scores
# merged by top-k). Random models are drawn here, written as HF safetensors, and decoded by
# `gpu_compare generate` as one padded batch. Not run by CI: it needs Debian's python3-torch.
#
#   apt-get install python3-torch
#   /usr/bin/python3 bench/t5_beam_crosscheck.py build/gpu_compare [WORKDIR]
#
# Prints one line per model and exits 1 if any sequence differs.
import json, math, os, random, struct, subprocess, sys, tempfile

import numpy as np
import torch
import torch.nn.functional as F

EOS, START = 1, 0


def save_safetensors(path, tensors):
    header, blobs, off = {}, [], 0
    for k, t in tensors.items():
        b = t.contiguous().numpy().astype(np.float32).tobytes()
        header[k] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def random_model(d, cfg, seed, std, eos_boost):
    """HF T5 tensor names; weights N(0, std), RMS-norm weights 1 + 0.1 N(0, 1)."""
    os.makedirs(d, exist_ok=True)
    json.dump(dict(cfg, model_type="t5", architectures=["T5ForConditionalGeneration"], is_encoder_decoder=True,
                   layer_norm_epsilon=1e-6, feed_forward_proj="gated-gelu", tie_word_embeddings=False,
                   decoder_start_token_id=START, eos_token_id=EOS, pad_token_id=0), open(d + "/config.json", "w"))
    V, D, K, H, FF, NB = (cfg[k] for k in ("vocab_size", "d_model", "d_kv", "num_heads", "d_ff",
                                            "relative_attention_num_buckets"))
    shapes = {"shared.weight": (V, D), "lm_head.weight": (V, D), "encoder.final_layer_norm.weight": (D,),
              "decoder.final_layer_norm.weight": (D,)}
    for stack in ("encoder", "decoder"):
        for i in range(cfg["num_layers"]):
            p = f"{stack}.block.{i}.layer"
            ff = 2 if stack == "decoder" else 1
            for a in [f"{p}.0.SelfAttention"] + ([f"{p}.1.EncDecAttention"] if ff == 2 else []):
                shapes.update({f"{a}.q.weight": (H * K, D), f"{a}.k.weight": (H * K, D), f"{a}.v.weight": (H * K, D),
                               f"{a}.o.weight": (D, H * K)})
            if i == 0:
                shapes[f"{p}.0.SelfAttention.relative_attention_bias.weight"] = (NB, H)
            for j in range(ff + 1):
                shapes[f"{p}.{j}.layer_norm.weight"] = (D,)
            shapes.update({f"{p}.{ff}.DenseReluDense.wi_0.weight": (FF, D), f"{p}.{ff}.DenseReluDense.wi_1.weight": (FF, D),
                           f"{p}.{ff}.DenseReluDense.wo.weight": (D, FF)})
    g = torch.Generator().manual_seed(seed)
    w = {}
    for k in sorted(shapes):
        t = torch.randn(shapes[k], generator=g)
        w[k] = 1.0 + 0.1 * t if k.endswith("norm.weight") else std * t
    w["lm_head.weight"][EOS] *= eos_boost  # makes </s> likely somewhere, so beams also end by </s>
    save_safetensors(d + "/model.safetensors", w)
    return w


class T5:
    def __init__(self, cfg, w):
        self.c, self.w, self.H, self.K = cfg, w, cfg["num_heads"], cfg["d_kv"]

    def norm(self, x, name):
        return self.w[name] * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6))

    def attention(self, x, kv, p, bias):
        def heads(t, n):
            return t.view(1, -1, self.H, self.K).transpose(1, 2)
        q, k, v = (heads(t @ self.w[f"{p}.{n}.weight"].T, n) for t, n in ((x, "q"), (kv, "k"), (kv, "v")))
        a = torch.softmax(q @ k.transpose(-1, -2) + bias, -1)  # T5: no 1/sqrt(d) scaling
        return (a @ v).transpose(1, 2).reshape(1, -1, self.H * self.K) @ self.w[f"{p}.o.weight"].T

    def ff(self, x, p):
        return (F.gelu(x @ self.w[p + ".wi_0.weight"].T, approximate="tanh") * (x @ self.w[p + ".wi_1.weight"].T)) \
            @ self.w[p + ".wo.weight"].T

    def position_bias(self, stack, T, bidirectional):
        rel = torch.arange(T)[None, :] - torch.arange(T)[:, None]  # memory - query
        n, ret = self.c["relative_attention_num_buckets"], torch.zeros_like(rel)
        if bidirectional:
            n //= 2
            ret += (rel > 0).long() * n
            rel = rel.abs()
        else:
            rel = -torch.minimum(rel, torch.zeros_like(rel))
        exact = n // 2
        large = exact + (torch.log(rel.float() / exact) / math.log(self.c["relative_attention_max_distance"] / exact)
                         * (n - exact)).long()
        ret += torch.where(rel < exact, rel, torch.minimum(large, torch.full_like(large, n - 1)))
        return self.w[f"{stack}.block.0.layer.0.SelfAttention.relative_attention_bias.weight"][ret].permute(2, 0, 1)

    def encode(self, ids):
        x = self.w["shared.weight"][torch.tensor([ids])]
        bias = self.position_bias("encoder", len(ids), True)
        for i in range(self.c["num_layers"]):
            p = f"encoder.block.{i}.layer"
            h = self.norm(x, p + ".0.layer_norm.weight")
            x = x + self.attention(h, h, p + ".0.SelfAttention", bias)
            x = x + self.ff(self.norm(x, p + ".1.layer_norm.weight"), p + ".1.DenseReluDense")
        return self.norm(x, "encoder.final_layer_norm.weight")

    def next_logits(self, enc, prefix):
        x = self.w["shared.weight"][torch.tensor([prefix])]
        T = len(prefix)
        bias = self.position_bias("decoder", T, False) + torch.triu(torch.full((T, T), torch.finfo(torch.float32).min), 1)
        for i in range(self.c["num_layers"]):
            p = f"decoder.block.{i}.layer"
            h = self.norm(x, p + ".0.layer_norm.weight")
            x = x + self.attention(h, h, p + ".0.SelfAttention", bias)
            x = x + self.attention(self.norm(x, p + ".1.layer_norm.weight"), enc, p + ".1.EncDecAttention", 0.0)
            x = x + self.ff(self.norm(x, p + ".2.layer_norm.weight"), p + ".2.DenseReluDense")
        return self.norm(x, "decoder.final_layer_norm.weight")[0, -1] @ self.w["lm_head.weight"].T

    def log_probs(self, enc, prefixes):
        return torch.stack([F.log_softmax(self.next_logits(enc, p), -1) for p in prefixes])


def greedy(m, ids, L):
    enc, seq = m.encode(ids), [START]
    while len(seq) < L and seq[-1] != EOS or len(seq) == 1:
        seq.append(int(m.next_logits(enc, seq).argmax()))
    return seq


def beam_43x(m, ids, L, nb, counts_start):
    """4.3x: top 2*nb of (beam x vocab); an </s> ranked < nb is a hypothesis (score / its length, start
    included, </s> not), other </s> dropped; done once nb hypotheses exist (early_stopping=True); at
    max_length every live beam is a hypothesis (length L, or L - 1 from 4.37 on)."""
    enc = m.encode(ids)
    beams, scores = [[START]] * nb, torch.tensor([0.0] + [-1e9] * (nb - 1))
    hyps, worst = [], 1e9

    def add(seq, s, length):
        nonlocal worst
        score = s / length
        if len(hyps) < nb or score > worst:
            hyps.append((score, seq))
            if len(hyps) > nb:
                order = sorted((x, i) for i, (x, _) in enumerate(hyps))
                del hyps[order[0][1]]
                worst = order[1][0]
            else:
                worst = min(score, worst)

    while True:
        cand = (m.log_probs(enc, beams) + scores[:, None]).view(-1)
        V = cand.numel() // nb
        top_scores, top_ids = torch.topk(cand, 2 * nb)
        nxt, nxt_scores = [], []
        for rank in range(2 * nb):
            b, t = int(top_ids[rank]) // V, int(top_ids[rank]) % V
            if t == EOS:
                if rank < nb:
                    add(beams[b], top_scores[rank].item(), len(beams[b]))
            else:
                nxt.append(beams[b] + [t])
                nxt_scores.append(top_scores[rank])
            if len(nxt) == nb:
                break
        beams, scores = nxt, torch.stack(nxt_scores)
        if len(hyps) >= nb:
            break
        if len(beams[0]) >= L:
            for b in range(nb):
                add(beams[b], scores[b].item(), L if counts_start else L - 1)
            break
    best = sorted(hyps, key=lambda h: h[0])[-1][1]
    return best + [EOS] if len(best) < L else best


def beam_vectorized(m, ids, L, nb):
    """4.5x+ _beam_search: top 2*nb continuations; the running beams are the best nb that did not
    finish (</s> or max_length); finished = the top-nb-ranked ones among those that did, scored
    / generated length (</s> included), merged with earlier ones by top-k; stop when all nb finished
    slots are filled (early_stopping=True) or at max_length."""
    enc = m.encode(ids)
    running, run_scores = [[START]] * nb, torch.tensor([0.0] + [-1e9] * (nb - 1))
    finished = []  # (score, seq), at most nb, best first
    while True:
        cand = (m.log_probs(enc, running) + run_scores[:, None]).view(-1)
        V = cand.numel() // nb
        top_scores, top_ids = torch.topk(cand, 2 * nb)
        seqs = [running[int(i) // V] + [int(i) % V] for i in top_ids]
        hits = [s[-1] == EOS or len(s) >= L for s in seqs]
        masked = top_scores + torch.tensor([-1e9 if h else 0.0 for h in hits])
        keep = torch.topk(masked, nb)[1]
        running, run_scores = [seqs[int(k)] for k in keep], masked[keep]
        if len(finished) < nb:
            new = [((top_scores[r] / (len(seqs[r]) - 1)).item(), seqs[r]) for r in range(nb) if hits[r]]
            merged = finished + new
            order = torch.topk(torch.tensor([s for s, _ in merged] + [-2e9] * nb), nb)[1]
            finished = [merged[int(i)] for i in order if int(i) < len(merged)]
            if len(finished) >= nb:
                break
        if len(running[0]) >= L:
            break
    return finished[0][1]


MODELS = [  # name, config, seed, weight std, </s> row scale
    ("tiny", dict(vocab_size=96, d_model=32, d_kv=8, d_ff=48, num_layers=2, num_heads=4,
                  relative_attention_num_buckets=16, relative_attention_max_distance=32), 1, 0.3, 1.0),
    ("tiny-eos", dict(vocab_size=96, d_model=32, d_kv=8, d_ff=48, num_layers=2, num_heads=4,
                      relative_attention_num_buckets=16, relative_attention_max_distance=32), 1, 0.3, 1.8),
    ("gpu-like", dict(vocab_size=250, d_model=128, d_kv=32, d_ff=256, num_layers=2, num_heads=4,
                      relative_attention_num_buckets=32, relative_attention_max_distance=128), 2, 0.2, 1.0),
    ("gpu-like-eos", dict(vocab_size=250, d_model=128, d_kv=32, d_ff=256, num_layers=2, num_heads=4,
                          relative_attention_num_buckets=32, relative_attention_max_distance=128), 2, 0.2, 1.5),
]


def main():
    driver = sys.argv[1]
    work = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="t5_beam_crosscheck_")
    L, n_inputs, ok = int(os.environ.get("MAX_LENGTH", "64")), int(os.environ.get("N", "8")), True
    torch.set_grad_enabled(False)
    for name, cfg, seed, std, eos_boost in MODELS:
        d = os.path.join(work, name)
        cfg = dict(cfg, num_decoder_layers=cfg["num_layers"])
        m = T5(cfg, random_model(d, cfg, seed, std, eos_boost))
        rng = random.Random(seed)
        inputs = [[rng.randrange(3, cfg["vocab_size"]) for _ in range(rng.randrange(4, 30))] + [EOS]
                  for _ in range(n_inputs)]
        json.dump({"inputs": inputs}, open(d + "/inputs.json", "w"))

        def pgc(beams, excluded):
            out = f"{d}/pgc_{beams}_{int(excluded)}.json"
            subprocess.run([driver, "generate", d, "cpu", str(beams), str(L), d + "/inputs.json", out]
                           + (["start-excluded"] if excluded else []), check=True)
            return json.load(open(out))["sequences"]

        got = {"greedy": pgc(1, False), "beam5": pgc(5, False), "beam5_excl": pgc(5, True)}
        want = {"greedy": [greedy(m, x, L) for x in inputs],
                "beam5": [beam_43x(m, x, L, 5, True) for x in inputs],
                "beam5_excl": [beam_43x(m, x, L, 5, False) for x in inputs]}
        vectorized = [beam_vectorized(m, x, L, 5) for x in inputs]
        line = {k: f"{sum(a == b for a, b in zip(got[k], want[k]))}/{len(inputs)}" for k in got}
        line["vectorized=4.3x(excl)"] = f"{sum(a == b for a, b in zip(vectorized, want['beam5_excl']))}/{len(inputs)}"
        line["ended_by_eos"] = sum(s[-1] == EOS for s in want["beam5"])
        ok &= all(got[k] == want[k] for k in got)
        print(name, json.dumps(line), flush=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

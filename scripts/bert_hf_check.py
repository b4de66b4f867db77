#!/usr/bin/env python3
"""Compare a `bench_bert --dump-json` dump with HF transformers, the way GLaMM embeds text.

    python3 scripts/bert_hf_check.py MODEL_DIR DUMP.json [--device cpu|cuda] [--tol 1e-4]

MODEL_DIR is the folder bench_bert read (--model-dir). For every text of the dump:
  - input_ids must equal AutoTokenizer(text, max_length=512, truncation=True) (the fast
    tokenizer GLaMM's eval/gcg/evaluate.py gets); the slow BertTokenizer is reported too;
  - words must equal the fast tokenizer's normalizer + pre-tokenizer output (texts holding a
    special token literally are skipped here: HF matches those before normalizing);
  - embedding must be within --tol (max abs) of torch.mean(model(**inputs).last_hidden_state[0], 0).
Exit status 1 on any mismatch.
"""
import argparse
import json
import sys

import torch
from transformers import AutoModel, AutoTokenizer, BertTokenizer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dir")
    ap.add_argument("dump")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--tol", type=float, default=1e-4)
    args = ap.parse_args()

    dump = json.load(open(args.dump, encoding="utf-8"))
    fast = AutoTokenizer.from_pretrained(args.model_dir)
    slow = BertTokenizer.from_pretrained(args.model_dir)
    model = AutoModel.from_pretrained(args.model_dir).eval().to(args.device)
    specials = set(fast.all_special_tokens)
    bad_ids = bad_words = bad_emb = slow_differs = 0
    worst = 0.0
    for entry in dump["phrases"]:
        text = entry["text"]
        ids = fast(text, max_length=512, truncation=True)["input_ids"]
        if ids != entry["input_ids"]:
            bad_ids += 1
            print(f"IDS differ for {text[:60]!r}:\n  hf  {ids[:40]}\n  pgc {entry['input_ids'][:40]}")
        if slow(text, max_length=512, truncation=True)["input_ids"] != ids:
            slow_differs += 1
            print(f"note: slow BertTokenizer differs from the fast one for {text[:60]!r}")
        if not any(s in text for s in specials):
            backend = fast.backend_tokenizer
            words = [w for w, _ in backend.pre_tokenizer.pre_tokenize_str(backend.normalizer.normalize_str(text))]
            if words != entry["words"]:
                bad_words += 1
                print(f"WORDS differ for {text[:60]!r}:\n  hf  {words[:20]}\n  pgc {entry['words'][:20]}")
        with torch.no_grad():
            inputs = fast(text, return_tensors="pt", max_length=512, truncation=True).to(args.device)
            emb = torch.mean(model(**inputs).last_hidden_state[0], dim=0).float().cpu()
        diff = (emb - torch.tensor(entry["embedding"])).abs().max().item()
        worst = max(worst, diff)
        if diff > args.tol:
            bad_emb += 1
            print(f"EMBEDDING differs by {diff:.3g} for {text[:60]!r}")
    n = len(dump["phrases"])
    print(f"{n} texts: ids differ {bad_ids}, words differ {bad_words}, embeddings beyond {args.tol} {bad_emb} "
          f"(max abs diff {worst:.3g}); slow tokenizer differs from fast on {slow_differs}")
    return 1 if bad_ids or bad_words or bad_emb else 0


if __name__ == "__main__":
    sys.exit(main())

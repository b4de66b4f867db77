# Compares `bench_t5 --model-dir DIR --dump-json DUMP` (pgc's LibTorch T5) with HF transformers
# on the same checkpoint: generated ids (greedy, beam 5, both beam length conventions),
# teacher-forced logits of the greedy sequence, tokenizer encode/decode.
# usage: python3 bench/t5_hf_compare.py DIR DUMP [DIR DUMP ...]   (writes $OUT/parity_report.json)
import json, sys, os, time
import torch, transformers
from transformers import T5ForConditionalGeneration
print("torch", torch.__version__, "transformers", transformers.__version__, "cuda", torch.cuda.is_available())
report = {}
pairs = sys.argv[1:]
for d, dump_path in zip(pairs[0::2], pairs[1::2]):
    name = d
    dump = json.load(open(dump_path))
    L = dump["max_length"]
    res = {}
    for dev in (["cpu", "cuda"] if torch.cuda.is_available() else ["cpu"]):
        model = T5ForConditionalGeneration.from_pretrained(d, torch_dtype=torch.float32).to(dev).eval()
        r = {"greedy_equal": 0, "beam5_equal_counts_start": 0, "beam5_equal_excludes_start": 0, "n": 0,
             "max_logit_diff": 0.0, "max_abs_logit": 0.0, "mismatches": []}
        for it in dump["items"]:
            ids = torch.tensor([it["input_ids"]], device=dev)
            mask = torch.ones_like(ids)
            common = dict(attention_mask=mask, max_length=L, do_sample=False, decoder_start_token_id=0,
                          eos_token_id=1, pad_token_id=0, length_penalty=1.0, num_return_sequences=1)
            with torch.no_grad():
                g = model.generate(ids, num_beams=1, **common)[0].tolist()
                b = model.generate(ids, num_beams=5, early_stopping=True, **common)[0].tolist()
                seq = it["greedy"]["sequence"]
                dec = torch.tensor([seq[:-1]], device=dev)
                logits = model(input_ids=ids, attention_mask=mask, decoder_input_ids=dec).logits[0].float().cpu()
            mine = torch.tensor(it["greedy"]["logits"]).view(logits.shape)
            r["max_logit_diff"] = max(r["max_logit_diff"], (mine - logits).abs().max().item())
            r["max_abs_logit"] = max(r["max_abs_logit"], logits.abs().max().item())
            def same(a, bb):  # HF pads after </s>; compare up to and including </s>
                a = a[: a.index(1) + 1] if 1 in a[1:] else a
                return a == bb
            r["n"] += 1
            r["greedy_equal"] += same(g, it["greedy"]["sequence"])
            r["beam5_equal_counts_start"] += same(b, it["beam5"]["sequence"])
            r["beam5_equal_excludes_start"] += same(b, it["beam5_len_excludes_start"]["sequence"])
            if not same(b, it["beam5_len_excludes_start"]["sequence"]) or not same(g, it["greedy"]["sequence"]):
                r["mismatches"].append({"hf_beam": b, "pgc_beam_ex": it["beam5_len_excludes_start"]["sequence"],
                                        "pgc_beam_cs": it["beam5"]["sequence"], "hf_greedy": g, "pgc_greedy": it["greedy"]["sequence"]})
        res[dev] = r
    # Tokenizer: encode the prompts and decode the beams.
    try:
        from transformers import T5TokenizerFast, T5Tokenizer
        tok = None
        for cls in (T5TokenizerFast, T5Tokenizer):
            try:
                tok = cls(vocab_file=os.path.join(d, "spiece.model"), extra_ids=100); break
            except Exception as e:
                res.setdefault("tokenizer_errors", []).append(repr(e)[:300])
        if tok is not None:
            t = {"class": type(tok).__name__, "encode_equal": 0, "decode_equal": 0, "n": 0, "diffs": []}
            for it in dump["items"]:
                enc = tok(["Generate Scene Graph: " + it["sentence"].strip()], max_length=64, truncation=True, padding=True)["input_ids"][0]
                text = tok.batch_decode([it["beam5"]["sequence"]], skip_special_tokens=True, clean_up_tokenization_spaces=True)[0]
                t["n"] += 1
                t["encode_equal"] += enc == it["input_ids"]
                t["decode_equal"] += text == it["beam5"]["text"]
                if enc != it["input_ids"] or text != it["beam5"]["text"]:
                    t["diffs"].append({"hf_ids": enc, "pgc_ids": it["input_ids"], "hf_text": text, "pgc_text": it["beam5"]["text"]})
            res["tokenizer"] = t
    except Exception as e:
        res["tokenizer_error"] = repr(e)[:500]
    report[name] = res
os.makedirs(os.environ.get("OUT", "."), exist_ok=True)
json.dump(report, open(os.path.join(os.environ.get("OUT", "."), "parity_report.json"), "w"), indent=1)
print(json.dumps({k: {d: {kk: vv for kk, vv in v.items() if kk != "mismatches"} if isinstance(v, dict) else v for d, v in r.items()} for k, r in report.items()}, indent=1)[:6000])

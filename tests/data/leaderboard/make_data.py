#!/usr/bin/env python3
"""Writes the crafted results files (pgc.results/1) that tests/test_leaderboard.cpp reads.
Made up for the project: not scored from real predictions. Run from this folder."""
import hashlib, json, random

CAPTION_SIG = "tok:ptb-3.4.1|bleu:closest|cider:D,n4,sigma6,idf:refs|pgc:0.1.0"
PANOPTIC_SIG = "pq:panopticapi|categories:coco-panoptic-133|pgc:0.1.0"
T2I_SIG = "fid:pytorch-fid-inception|resize:bilinear|dtype:f32|pgc:0.1.0"


def sha(text):
    return hashlib.sha256(text.encode()).hexdigest()


def base(name, task, sig, inputs):
    settings = dict(f.split(":", 1) for f in sig.split("|"))
    return {"schema": "pgc.results/1", "name": name, "task": task, "signature": sig,
            "settings": settings,
            "inputs": {role: {"path": path, "sha256": sha(path)} for role, path in inputs.items()}}


def caption(name, corpus, sig=CAPTION_SIG, per_image=None):
    # No "stats" block: compare/gate use the per-image fallback whether or not the caption
    # resampler is registered, so these tests mean the same before and after it lands.
    d = base(name, "caption", sig, {"refs": "refs.json", "preds": name + ".json"})
    d["corpus"] = corpus
    if per_image is not None:
        d["per_image"] = per_image
    return d


def write(path, doc):
    with open(path, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


# Leaderboard inputs: two caption systems (B scored with another tokenizer: flagged), a
# panoptic file for system A (Table 4 merges it with A's caption row), two t2i systems.
write("caption_sysA.json", caption("sysA", {
    "Bleu_1": 0.2514, "Bleu_2": 0.1432, "Bleu_3": 0.0871, "Bleu_4": 0.05349, "METEOR": 0.17113,
    "ROUGE_L": 0.26849, "CIDEr": 0.13124, "CAPTURE": 0.61449}))
write("caption_sysB.json", caption("sysB", {
    "Bleu_1": 0.2311, "Bleu_2": 0.1302, "Bleu_3": 0.0771, "Bleu_4": 0.04712, "METEOR": 0.15508,
    "ROUGE_L": 0.27911, "CIDEr": 0.14051},
    sig="tok:whitespace|bleu:closest|cider:D,n4,sigma6,idf:refs|pgc:0.1.0"))
pan = base("sysA", "panoptic", PANOPTIC_SIG, {"gt_json": "gt.json", "pred_json": "pred.json"})
pan.update({"All": {"pq": 0.5731, "sq": 0.8012, "rq": 0.6954, "n": 133},
            "Things": {"pq": 0.5522, "sq": 0.8101, "rq": 0.6712, "n": 80},
            "Stuff": {"pq": 0.6046, "sq": 0.7878, "rq": 0.7319, "n": 53},
            "per_class": {"1": {"pq": 0.7, "sq": 0.8, "rq": 0.875}}})
write("panoptic_sysA.json", pan)
for name, fid, fd, clip in [("sd3-ft-a", 22.84, 281.2, 77.41), ("sd3-ft-b", 21.37, 292.6, 76.93)]:
    d = base(name, "t2i", T2I_SIG, {"real": "real/", "fake": name + "/"})
    d["corpus"] = {"FID": fid, "FD_DINOv2": fd, "CLIPScore": clip}
    write("t2i_%s.json" % name, d)

# Gate / compare inputs: 60 images with per-image CIDEr and ROUGE-L (means of per-image scores).
rng = random.Random(7)
ids = [str(100000 + 37 * i) for i in range(60)]
scores = {i: (rng.uniform(0.0, 0.4), rng.uniform(0.15, 0.4)) for i in ids}


def gated(name, shift_cider=0.0, shift_rouge=0.0, noise=0.0, sig=CAPTION_SIG, seed=1):
    r = random.Random(seed)
    per = {}
    for i in ids:
        c, ro = scores[i]
        per[i] = {"CIDEr": max(0.0, c + shift_cider + r.uniform(-noise, noise)),
                  "ROUGE_L": max(0.0, ro + shift_rouge + r.uniform(-noise, noise))}
    corpus = {k: sum(v[k] for v in per.values()) / len(per) for k in ("CIDEr", "ROUGE_L")}
    corpus["Bleu_4"] = 0.05 + shift_cider / 4  # corpus-only metric: gated, not resampled
    return caption(name, corpus, sig=sig, per_image=per)


write("base.json", gated("base"))
write("same.json", gated("same"))                                    # identical numbers
write("better.json", gated("better", 0.02, 0.01, noise=0.01, seed=2))
write("worse_noise.json", gated("worse-noise", -0.01, -0.002, noise=0.08, seed=3))  # small, noisy drop
write("worse.json", gated("worse", -0.05, -0.02, noise=0.01, seed=4))             # clear drop
write("other_signature.json", gated("other-sig", sig="tok:ptb-3.4.1|bleu:shortest|cider:D,n4,sigma6,idf:refs|pgc:0.1.0"))
missing = gated("missing")
del missing["corpus"]["ROUGE_L"]
write("missing_metric.json", missing)
fewer = gated("fewer")
del fewer["per_image"][ids[0]]
write("fewer_samples.json", fewer)
bad = gated("bad")
bad["schema"] = "pgc.results/0"
write("bad_schema.json", bad)

#!/usr/bin/env python3
"""GPU check for pgc's LibTorch networks (run by tests/gpu/run_gpu_checks.sh on a GPU machine).

Builds small random-weight models with Hugging Face transformers (BERT, MPNet, T5, DINOv2) and a
random pytorch-fid InceptionV3 checkpoint (tensor names/shapes from inception_fid_tensors.json),
runs pgc's implementations through tests/gpu/gpu_compare on CPU and CUDA, runs the Python
reference on the same weights, and writes every max difference and throughput figure to
$OUT/gpu_report.json. Needs: torch (CUDA), transformers, safetensors, sentencepiece, numpy.
Each section is independent: a failure is recorded and the next section runs.
"""
import json
import os
import subprocess
import sys
import time
import traceback

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.environ.get("PGC_GPU_WORK", "/tmp/pgc_gpu")
OUT = os.environ.get("OUT", WORK)
DRIVER = os.environ.get("PGC_GPU_DRIVER", os.path.join(WORK, "build", "gpu_compare"))
REPORT = {"device": torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none",
          "torch": torch.__version__}
os.makedirs(WORK, exist_ok=True)
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False

WORDS = ("a an the man woman person people child dog cat horse bird car bus truck train boat "
         "bicycle motorcycle street road sidewalk building house wall window door roof tree grass "
         "sky cloud water river sea beach sand snow mountain hill field table chair bench bed "
         "couch sofa kitchen room floor ceiling light lamp plate bowl cup glass bottle food pizza "
         "sandwich cake fruit apple banana orange red blue green yellow white black brown gray "
         "large small big little tall short young old wooden metal stone standing sitting walking "
         "riding holding wearing looking playing eating near on in under behind next to front of "
         "with and is are two three several some shirt jacket hat umbrella bag phone laptop "
         "generate scene graph background foreground left right top bottom side area surface").split()
PHRASES = ["a man riding a red bicycle", "two dogs playing in the green grass",
           "the sky-other-merged", "wall brick", "A tall building with many windows.",
           "café au lait, naïve résumé", "an umbrella", "people walking on the sidewalk near a bus",
           "x", "the large wooden table in the kitchen next to a window"]
SENTENCES = ["A man is riding a red bicycle on the street.",
             "Two dogs are playing in the green grass near a tree.",
             "The sky is blue with some white clouds.",
             "A large building with many windows stands behind the road.",
             "A woman holding an umbrella walks on the sidewalk."]


def run(cmd, **kw):
    t0 = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} -> {p.returncode}: {p.stderr.strip()[-2000:]}")
    return p.stdout, time.time() - t0


def section(name):
    def deco(fn):
        def wrapped():
            t0 = time.time()
            try:
                REPORT[name] = fn()
            except Exception as e:  # keep going: one broken model must not hide the others
                REPORT[name] = {"error": f"{type(e).__name__}: {e}", "trace": traceback.format_exc()[-3000:]}
            REPORT[name]["seconds"] = round(time.time() - t0, 1)
            print(name, json.dumps(REPORT[name])[:1500], flush=True)
            with open(os.path.join(OUT, "gpu_report.json"), "w") as f:  # after every section
                json.dump(REPORT, f, indent=1)
        return wrapped
    return deco


def randomize_(model, std=0.05, seed=0):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "LayerNorm.weight" in name or "layernorm.weight" in name or name.endswith("norm.weight") \
                    or "norm1.weight" in name or "norm2.weight" in name or "layer_norm.weight" in name:
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(std * torch.randn(p.shape, generator=g))


def wordpiece_vocab(specials, tail=()):
    chars = list("abcdefghijklmnopqrstuvwxyz0123456789.,!?;:'\"-()&/")
    return list(specials) + WORDS + chars + ["##" + c for c in "abcdefghijklmnopqrstuvwxyz0123456789"] + list(tail)


def text_compare(kind, d, ref_embed):
    inp = os.path.join(d, "texts.json")
    json.dump({"texts": PHRASES}, open(inp, "w"))
    res = {}
    ours = {}
    for dev in ("cpu", "cuda"):
        out = os.path.join(d, f"ours_{dev}.json")
        _, secs = run([DRIVER, "text", kind, d, dev, inp, out])
        ours[dev] = np.array(json.load(open(out))["embeddings"], dtype=np.float64)
        res[f"seconds_{dev}"] = round(secs, 2)
    ref = ref_embed()
    res["max_abs_cpu_vs_cuda"] = float(np.abs(ours["cpu"] - ours["cuda"]).max())
    res["max_abs_cuda_vs_hf"] = float(np.abs(ours["cuda"] - ref).max())
    res["max_abs_cpu_vs_hf"] = float(np.abs(ours["cpu"] - ref).max())
    res["max_abs_value"] = float(np.abs(ref).max())
    res["pass"] = bool(res["max_abs_cuda_vs_hf"] <= 1e-4 * max(1.0, res["max_abs_value"])
                       and res["max_abs_cpu_vs_hf"] <= 1e-4 * max(1.0, res["max_abs_value"]))
    return res


@section("bert")
def bert():
    from transformers import BertConfig, BertModel
    from tokenizers import BertWordPieceTokenizer
    d = os.path.join(WORK, "bert")
    os.makedirs(d, exist_ok=True)
    vocab = wordpiece_vocab(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    open(os.path.join(d, "vocab.txt"), "w").write("\n".join(vocab) + "\n")
    cfg = BertConfig(vocab_size=len(vocab), hidden_size=256, num_hidden_layers=4, num_attention_heads=4,
                     intermediate_size=1024, max_position_embeddings=512, hidden_act="gelu")
    torch.manual_seed(0)
    model = BertModel(cfg).eval()
    randomize_(model)
    model.save_pretrained(d, safe_serialization=True)
    tok = BertWordPieceTokenizer(os.path.join(d, "vocab.txt"), lowercase=True)

    def ref():
        rows = []
        model.cuda()
        with torch.no_grad():
            for text in PHRASES:
                ids = torch.tensor([tok.encode(text).ids]).cuda()
                h = model(input_ids=ids).last_hidden_state[0]
                rows.append(h.mean(0).double().cpu().numpy())
        return np.stack(rows)
    return text_compare("bert", d, ref)


@section("mpnet")
def mpnet():
    from transformers import MPNetConfig, MPNetModel
    from tokenizers import BertWordPieceTokenizer
    d = os.path.join(WORK, "mpnet")
    os.makedirs(os.path.join(d, "1_Pooling"), exist_ok=True)
    os.makedirs(os.path.join(d, "2_Normalize"), exist_ok=True)
    vocab = wordpiece_vocab(["<s>", "<pad>", "</s>", "<unk>", "[UNK]"], tail=["<mask>"])
    open(os.path.join(d, "vocab.txt"), "w").write("\n".join(vocab) + "\n")
    cfg = MPNetConfig(vocab_size=len(vocab), hidden_size=256, num_hidden_layers=4, num_attention_heads=4,
                      intermediate_size=1024, max_position_embeddings=514, relative_attention_num_buckets=32,
                      pad_token_id=1, bos_token_id=0, eos_token_id=2)
    torch.manual_seed(1)
    model = MPNetModel(cfg).eval()
    randomize_(model, seed=1)
    model.save_pretrained(d, safe_serialization=True)
    json.dump([{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
               {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
               {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}],
              open(os.path.join(d, "modules.json"), "w"))
    json.dump({"max_seq_length": 384, "do_lower_case": False}, open(os.path.join(d, "sentence_bert_config.json"), "w"))
    json.dump({"word_embedding_dimension": 256, "pooling_mode_cls_token": False, "pooling_mode_mean_tokens": True,
               "pooling_mode_max_tokens": False, "pooling_mode_mean_sqrt_len_tokens": False},
              open(os.path.join(d, "1_Pooling", "config.json"), "w"))
    json.dump({"do_lower_case": True, "tokenizer_class": "MPNetTokenizer", "bos_token": "<s>", "eos_token": "</s>",
               "cls_token": "<s>", "sep_token": "</s>", "pad_token": "<pad>", "unk_token": "[UNK]",
               "mask_token": "<mask>", "model_max_length": 512},
              open(os.path.join(d, "tokenizer_config.json"), "w"))
    tok = BertWordPieceTokenizer(os.path.join(d, "vocab.txt"), lowercase=True, unk_token="[UNK]",
                                 cls_token="<s>", sep_token="</s>", pad_token="<pad>", mask_token="<mask>")

    def ref():
        rows = []
        model.cuda()
        with torch.no_grad():
            for text in PHRASES:
                ids = torch.tensor([tok.encode(text).ids]).cuda()
                h = model(input_ids=ids).last_hidden_state[0].mean(0)
                rows.append(torch.nn.functional.normalize(h, dim=0).double().cpu().numpy())
        return np.stack(rows)
    return text_compare("mpnet", d, ref)


@section("t5")
def t5():
    import sentencepiece as spm
    from transformers import T5Config, T5ForConditionalGeneration
    d = os.path.join(WORK, "t5")
    os.makedirs(d, exist_ok=True)
    corpus = os.path.join(d, "corpus.txt")
    with open(corpus, "w") as f:
        for i in range(400):
            f.write(" ".join(WORDS[(i * 7 + j * 13) % len(WORDS)] for j in range(12)) + " .\n")
        for s in SENTENCES:
            f.write("Generate Scene Graph: " + s + "\n")
    spm.SentencePieceTrainer.train(input=corpus, model_prefix=os.path.join(d, "spiece"), vocab_size=150,
                                   model_type="unigram", pad_id=0, eos_id=1, unk_id=2, bos_id=-1,
                                   character_coverage=1.0)
    sp = spm.SentencePieceProcessor(model_file=os.path.join(d, "spiece.model"))
    n_sp = sp.get_piece_size()
    cfg = T5Config(vocab_size=n_sp + 100, d_model=128, d_kv=32, d_ff=256, num_layers=2, num_decoder_layers=2,
                   num_heads=4, feed_forward_proj="gated-gelu", tie_word_embeddings=False,
                   relative_attention_num_buckets=32, relative_attention_max_distance=128,
                   decoder_start_token_id=0, pad_token_id=0, eos_token_id=1)
    torch.manual_seed(2)
    model = T5ForConditionalGeneration(cfg).eval()
    randomize_(model, std=0.2, seed=2)
    model.save_pretrained(d, safe_serialization=True)
    inp = os.path.join(d, "sentences.json")
    json.dump({"sentences": SENTENCES}, open(inp, "w"))
    # Token ids straight from the SentencePiece model (what HF's T5 tokenizers produce for it; the
    # transformers 5.x T5Tokenizer built from a bare spiece.model gave other ids, so it is not used).
    hf_tok = None
    hf_tok_error = "bare spiece.model"

    def clean(text):
        for a, b in ((" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
                     (" 'm", "'m"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")):
            text = text.replace(a, b)
        return text

    res = {"hf_tokenizer": "transformers" if hf_tok else "sentencepiece (" + hf_tok_error[:200] + ")"}
    model.cuda()
    prompts = ["Generate Scene Graph: " + s.strip() for s in SENTENCES]
    ids_all = [sp.encode(p)[:63] + [1] for p in prompts]  # v0.5: 63 pieces + </s>
    if hf_tok is not None:
        res["hf_input_ids_eq_sentencepiece"] = sum(
            hf_tok(p, max_length=64, truncation=True)["input_ids"] == i for p, i in zip(prompts, ids_all))
    ids_json = os.path.join(d, "ids.json")
    json.dump({"inputs": ids_all}, open(ids_json, "w"))
    # The same beam-search algorithms as bench/t5_beam_crosscheck.py, driven by HF's own logits:
    # tells HF generate()'s search apart from the network's numerics.
    sys.path.insert(0, os.path.join(HERE, "..", "..", "bench"))
    import t5_beam_crosscheck as xc
    from transformers.modeling_outputs import BaseModelOutput

    class HFLogits:
        def encode(self, ids):
            return model.get_encoder()(input_ids=torch.tensor([ids]).cuda()).last_hidden_state

        def log_probs(self, enc, prefixes):
            out = model(encoder_outputs=BaseModelOutput(last_hidden_state=enc.expand(len(prefixes), -1, -1)),
                        decoder_input_ids=torch.tensor(prefixes).cuda(), use_cache=False)
            return torch.log_softmax(out.logits[:, -1].float(), -1).cpu()

        def next_logits(self, enc, prefix):
            return self.log_probs(enc, [prefix])[0]

    hfl = HFLogits()
    for beams in (1, 5):
        ours, ours_text = {}, {}
        for dev in ("cpu", "cuda"):
            out = os.path.join(d, f"gen_{dev}_{beams}.json")
            # transformers >= 4.37 normalizes max-length beams by the generated length (start excluded)
            run([DRIVER, "generate", d, dev, str(beams), "128", ids_json, out, "start-excluded"])
            ours[dev] = json.load(open(out))["sequences"]
            out = os.path.join(d, f"ours_{dev}_{beams}.json")
            run([DRIVER, "parse", d, dev, str(beams), inp, out, "start-excluded"])
            ours_text[dev] = json.load(open(out))["graphs"]
        hf, refs, algo = [], [], []
        for ids in ids_all:
            x = torch.tensor([ids]).cuda()
            with torch.no_grad():
                y = model.generate(input_ids=x, attention_mask=torch.ones_like(x), num_beams=beams,
                                   max_length=128, early_stopping=True, do_sample=False,
                                   decoder_start_token_id=0, eos_token_id=1, pad_token_id=0,
                                   length_penalty=1.0, num_return_sequences=1)[0].tolist()
                y = y[: y.index(1, 1) + 1] if 1 in y[1:] else y  # HF pads after </s> in a batch
                hf.append(y)
                algo.append(xc.greedy(hfl, ids, 128) if beams == 1 else xc.beam_vectorized(hfl, ids, 128, 5))
            if hf_tok is not None:
                refs.append(hf_tok.decode(y, skip_special_tokens=True, clean_up_tokenization_spaces=True))
            else:
                refs.append(clean(sp.decode([t for t in y if t not in (0, 1, 2) and t < n_sp])))

        def first_diff(a, b):
            return next((i for i, (u, v) in enumerate(zip(a, b)) if u != v), min(len(a), len(b)))

        res[f"beams{beams}"] = {
            "n": len(SENTENCES),
            "ids_cpu_eq_cuda": sum(a == b for a, b in zip(ours["cpu"], ours["cuda"])),
            "ids_cuda_eq_hf_generate": sum(a == b for a, b in zip(ours["cuda"], hf)),
            "ids_cuda_eq_python_search_on_hf_logits": sum(a == b for a, b in zip(ours["cuda"], algo)),
            "hf_generate_eq_python_search_on_hf_logits": sum(a == b for a, b in zip(hf, algo)),
            "first_diff_pos_vs_hf": [first_diff(a, b) for a, b in zip(ours["cuda"], hf) if a != b],
            "lengths": {"ours": [len(a) for a in ours["cuda"]], "hf": [len(b) for b in hf]},
            "text_cpu_eq_cuda": sum(a == b for a, b in zip(ours_text["cpu"], ours_text["cuda"])),
            "text_cuda_eq_hf": sum(a == b for a, b in zip(ours_text["cuda"], refs)),
            "mismatches": [{"ours": a[:40], "hf": b[:40], "python_on_hf_logits": c[:40]}
                           for a, b, c in zip(ours["cuda"], hf, algo) if a != b][:3],
        }
    res["pass"] = all(v["ids_cuda_eq_hf_generate"] == v["n"] and v["ids_cpu_eq_cuda"] == v["n"]
                      for k, v in res.items() if k.startswith("beams"))
    return res


def images(n, size, seed):
    rng = np.random.default_rng(seed)
    return rng.random((n, size, size, 3), dtype=np.float32)


def image_run(kind, weights, config, dev, x, size, d):
    inp = os.path.join(d, "in.f32")
    x.astype(np.float32).tofile(inp)
    out = os.path.join(d, f"out_{dev}.f32")
    run([DRIVER, "image", kind, weights, config, dev, str(len(x)), str(size), inp, out])
    return np.fromfile(out, dtype=np.float32).reshape(len(x), -1).astype(np.float64)


def speed(kind, weights, config, dev, batch, size, seconds=6):
    out, _ = run([DRIVER, "speed", kind, weights, config, dev, str(batch), str(size), str(seconds)])
    return json.loads(out.strip().splitlines()[-1])["images_per_s"]


def torch_speed(model, size, batch, seconds=6, normalize=None):
    x = torch.rand(batch, 3, size, size, device="cuda")
    with torch.inference_mode():
        model(x)
        torch.cuda.synchronize()
        n, t0 = 0, time.time()
        while time.time() - t0 < seconds:
            model(x)
            torch.cuda.synchronize()
            n += batch
    return n / (time.time() - t0)


@section("dinov2")
def dinov2():
    from transformers import Dinov2Config, Dinov2Model
    d = os.path.join(WORK, "dinov2")
    os.makedirs(d, exist_ok=True)
    cfg = Dinov2Config(hidden_size=192, num_hidden_layers=4, num_attention_heads=3, mlp_ratio=4, image_size=224,
                       patch_size=14, layer_norm_eps=1e-6, hidden_act="gelu", qkv_bias=True, layerscale_value=1.0)
    torch.manual_seed(3)
    model = Dinov2Model(cfg).eval()
    randomize_(model, seed=3)
    model.save_pretrained(d, safe_serialization=True)
    ours_cfg = os.path.join(d, "pgc_config.json")
    json.dump({"img_size": 224, "patch_size": 14, "embed_dim": 192, "depth": 4, "num_heads": 3, "mlp_ratio": 4,
               "num_register_tokens": 0, "interpolate_antialias": False, "interpolate_offset": 0.1},
              open(ours_cfg, "w"))
    weights = os.path.join(d, "model.safetensors")
    x = images(6, 224, 3)
    ours = {dev: image_run("dinov2", weights, ours_cfg, dev, x, 224, d) for dev in ("cpu", "cuda")}
    mean = torch.tensor([0.485, 0.456, 0.406], dtype=torch.float32).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225], dtype=torch.float32).view(1, 3, 1, 1)
    pix = (torch.from_numpy(x).permute(0, 3, 1, 2) - mean) / std
    model.cuda()
    with torch.no_grad():
        ref = model(pixel_values=pix.cuda()).pooler_output.double().cpu().numpy()
    res = {"max_abs_cpu_vs_cuda": float(np.abs(ours["cpu"] - ours["cuda"]).max()),
           "max_abs_cuda_vs_hf": float(np.abs(ours["cuda"] - ref).max()),
           "max_abs_cpu_vs_hf": float(np.abs(ours["cpu"] - ref).max()),
           "max_abs_value": float(np.abs(ref).max())}
    res["pass"] = res["max_abs_cuda_vs_hf"] <= 1e-4 * max(1.0, res["max_abs_value"])
    # Throughput of ViT-L/14 (random weights) at 224: ours vs HF Dinov2Model on the same GPU.
    for b in (1, 32):
        res[f"vitl14_images_per_s_batch{b}_pgc"] = speed("dinov2", "", "-", "cuda", b, 224)
    big = Dinov2Model(Dinov2Config(hidden_size=1024, num_hidden_layers=24, num_attention_heads=16, image_size=518,
                                   patch_size=14)).eval().cuda()
    for b in (1, 32):
        res[f"vitl14_images_per_s_batch{b}_hf_torch"] = torch_speed(lambda t: big(pixel_values=t), 224, b)
    return res


@section("inception")
def inception():
    from safetensors.torch import save_file
    d = os.path.join(WORK, "inception")
    os.makedirs(d, exist_ok=True)
    spec = json.load(open(os.path.join(HERE, "inception_fid_tensors.json")))
    g = torch.Generator().manual_seed(4)
    tensors = {}
    for name, t in spec.items():
        shape = t["shape"]
        if name.endswith("num_batches_tracked"):
            tensors[name] = torch.zeros(shape, dtype=torch.int64)
        elif name.endswith("running_var"):
            tensors[name] = 0.5 + torch.rand(shape, generator=g)
        elif name.endswith("running_mean") or name.endswith("bn.bias"):
            tensors[name] = 0.1 * torch.randn(shape, generator=g)
        elif name.endswith("bn.weight"):
            tensors[name] = 1.0 + 0.1 * torch.randn(shape, generator=g)
        else:
            fan_in = int(np.prod(shape[1:]))
            tensors[name] = torch.randn(shape, generator=g) * (2.0 / fan_in) ** 0.5
    weights = os.path.join(d, "inception_random.safetensors")
    save_file(tensors, weights)
    res = {}
    for size in (299, 384):
        x = images(4, size, 5)
        ours = {dev: image_run("inception", weights, "-", dev, x, size, d) for dev in ("cpu", "cuda")}
        res[f"max_abs_cpu_vs_cuda_{size}"] = float(np.abs(ours["cpu"] - ours["cuda"]).max())
        res[f"max_abs_value_{size}"] = float(np.abs(ours["cpu"]).max())
    res["pass"] = all(res[f"max_abs_cpu_vs_cuda_{s}"] <= 1e-4 * max(1.0, res[f"max_abs_value_{s}"]) for s in (299, 384))
    for b in (1, 32):
        res[f"images_per_s_batch{b}_pgc_cuda"] = speed("inception", weights, "-", "cuda", b, 299)
    try:
        import torchvision
        tv = torchvision.models.inception_v3(weights=None, aux_logits=False, init_weights=False).eval().cuda()
        for b in (1, 32):
            res[f"images_per_s_batch{b}_torchvision_inception_v3"] = torch_speed(tv, 299, b)
    except Exception as e:
        res["torchvision"] = str(e)
    return res


if __name__ == "__main__":
    sections = {"bert": bert, "mpnet": mpnet, "t5": t5, "dinov2": dinov2, "inception": inception}
    for name in sys.argv[1:] or list(sections):  # in the order given
        sections[name]()

#!/usr/bin/python3
"""Differential check of `pgc caption --metrics capture` against the real CAPTURE reference code
(capture_reference.py) on random inputs, elements or graphs mode, soft stage on (random table)
and off. Run by hand (README.md):

    CAPTURE_REPO=... FSG_REPO=... /usr/bin/python3 tests/reference/capture_fuzz.py elements 0 40
    CAPTURE_REPO=... FSG_REPO=... /usr/bin/python3 tests/reference/capture_fuzz.py graphs 0 40

Each seed is one case of 15-20 images. Compares the 10 per-image values (and in graphs mode the
extracted elements, through --dump-parse) and exits 1 on any difference above 1e-9.
With `--save DIR`, each case also goes to DIR/<mode>_<seed>/ with the reference's results
(expected.json, and in graphs mode expected_parse.json and the case's tagger model): the cases
tests/test_capture_reference_cases.cpp replays in CI.
"""
import json, os, random, shutil, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PGC = os.environ.get("PGC", os.path.join(ROOT, "build", "pgc"))
WORK = tempfile.mkdtemp(prefix="capture_fuzz_")

# NLTK 3.8 reads WordNet from an nltk_data folder: Debian's wordnet-base files plus `lexnames`
# (not in the Debian package; the 45 lexicographer file names of WordNet 3.0).
LEXNAMES = ("adj.all adj.pert adv.all noun.Tops noun.act noun.animal noun.artifact noun.attribute noun.body "
            "noun.cognition noun.communication noun.event noun.feeling noun.food noun.group noun.location "
            "noun.motive noun.object noun.person noun.phenomenon noun.plant noun.possession noun.process "
            "noun.quantity noun.relation noun.shape noun.state noun.substance noun.time verb.body verb.change "
            "verb.cognition verb.communication verb.competition verb.consumption verb.contact verb.creation "
            "verb.emotion verb.motion verb.perception verb.possession verb.social verb.stative verb.weather "
            "adj.ppl").split()
wn = os.path.join(WORK, "nltk_data", "corpora", "wordnet")
os.makedirs(wn)
for f in os.listdir("/usr/share/wordnet"):
    os.symlink(os.path.join("/usr/share/wordnet", f), os.path.join(wn, f))
with open(os.path.join(wn, "lexnames"), "w") as f:
    for i, n in enumerate(LEXNAMES):
        f.write(f"{i:02d}\t{n}\t{ {'adj': 3, 'adv': 4, 'noun': 1, 'verb': 2}[n.split('.')[0]] }\n")
os.environ["NLTK_DATA"] = os.path.join(WORK, "nltk_data")
sys.path.insert(0, HERE)
import capture_reference as ref  # noqa: E402

KEYS = ["CAPTURE", "precision_object", "recall_object", "f1_object", "precision_attribute", "recall_attribute",
        "f1_attribute", "precision_relation", "recall_relation", "f1_relation"]
# WordNet-heavy words: plurals and irregular forms (morphy), synonyms, substrings, case, multiword.
WORDS = ("man men woman women child children person people dog dogs puppy cat kitten horse geese goose mouse mice "
         "car carpet auto automobile truck lorry bus sofa couch settee table desk chair seat bench tree trees Tree "
         "grass lawn sky heaven water sea ocean beach shore sand cloud clouds building edifice house home window "
         "door roof street road pavement sidewalk shirt t-shirt jacket coat hat cap bicycle bike motorcycle "
         "red crimson blue green white black large big small little tiny old ancient young wooden smiling happy "
         "running ran run sitting sat standing stood lying lay lie holding held wearing worn riding rode ride "
         "on in at near beside behind under above over of with café naïve Ünïcode xyzzy 2 two better best "
         "worse redder sheep fish leaves leaf knives knife glasses glass pants trousers scissors news axes bases "
         "dies teeth feet oxen wolves ladies buses boxes dishes species series jeans clothes media data bigger "
         "biggest happier went gone flies dying tying eaten ate Dog DOG hot_dog o'clock well-dressed A the is "
         "'s - .").split()
MULTI = ["hot dog", "fire hydrant", "traffic light", "ice cream", "teddy bear", "cell phone", "stop sign",
         "next to", "in front of", "on top of", "lying on", "sitting on", "made of wood", "full of water",
         "new york", "united states", "dark blue", "light green", "Hot Dog", "t shirt"]


def word(rng, pool=WORDS):
    return rng.choice(MULTI) if rng.random() < 0.15 else rng.choice(pool)


def random_elements(rng):
    objs = list(dict.fromkeys(word(rng) for _ in range(rng.choice([0, 1, 2, 3, 5, 8]))))
    attrs = {}
    for _ in range(rng.choice([0, 1, 2, 3])):
        key = rng.choice(objs) if objs and rng.random() < 0.8 else word(rng)
        attrs[key] = list(dict.fromkeys(word(rng) for _ in range(rng.choice([0, 1, 2, 3]))))
    rels = []
    for _ in range(rng.choice([0, 1, 2, 4])):
        t = [word(rng), word(rng), word(rng)]
        if t not in rels:
            rels.append(t)
    return {"objects": objs, "attributes": attrs, "relations": rels}


def random_caption(rng):
    """Caption text and one parser output string per sentence, malformed ones included."""
    sents = []
    for _ in range(rng.randint(1, 4)):
        ws = [rng.choice(WORDS) for _ in range(rng.randint(3, 10))]
        sents.append(" ".join(ws) + rng.choice([".", ".", "!", " ."]))
    text = " ".join(sents)
    seen = text.replace(".", " ").replace("!", " ").split()
    graphs = []
    for _ in sents:
        facts = []
        for _ in range(rng.randint(0, 4)):
            s, k = word(rng, seen), rng.random()
            if k < 0.3:
                facts.append(f"( {s} , is , {word(rng, seen)} )")
            elif k < 0.4:
                facts.append(f"( {s} , is , {rng.choice(['2', '3', '10'])} )")
            elif k < 0.5:
                facts.append(f"( {s} )")
            elif k < 0.55:
                facts.append(f"( {s} , {word(rng, seen)} )")
            else:
                facts.append(f"( {s} , {rng.choice(['on', 'in', 'next to', 'holding', 'v:ride', 'near', 'of'])} , "
                             f"{word(rng, seen)} )")
        g, r = " , ".join(facts), rng.random()
        if r < 0.1 and g:
            g = g[: rng.randrange(1, len(g))]  # truncated output
        elif r < 0.2:
            g = g.replace(" ", "")
        elif r < 0.25:
            g = ""
        elif r < 0.3 and facts:
            g += " , " + facts[0]  # a repeated fact
        graphs.append(g)
    return {"text": text, "graphs": graphs}


def random_tagger(rng, nltk_dir):
    """punkt_tab from tests/data, a random averaged-perceptron model over WORDS (both sides read it)."""
    shutil.copytree(os.path.join(ROOT, "tests", "data", "capture_nltk"), nltk_dir)
    tags = ["NN", "NNS", "NNP", "JJ", "VBG", "VBZ", "IN", "DT", "RB", "VBD", "CD", "CC", ".", ","]
    weights = {"bias": {"NN": 1.0, "JJ": 0.25}, "i-1 tag DT": {"NN": 0.75, "JJ": 0.5},
               "i-1 tag JJ": {"NN": 1.0, "NNS": 0.5}}
    for w in WORDS:
        weights["i word " + w.lower()] = {rng.choice(tags): rng.choice([0.5, 1.0, 2.0, 3.0])}
    for suffix in ("s", "ing", "ed", "ly", "er", "ch"):
        weights["i suffix " + suffix] = {rng.choice(tags): 1.5}
    t = nltk_dir + "/taggers/averaged_perceptron_tagger_eng/averaged_perceptron_tagger_eng."
    json.dump(weights, open(t + "weights.json", "w"))
    json.dump({"is": "VBZ", "are": "VBP", ".": ".", ",": ",", "the": "DT"}, open(t + "tagdict.json", "w"))
    json.dump(tags + ["VBP"], open(t + "classes.json", "w"))


def phrases(e):
    objects, attributes, relations = e
    return list(objects) + [v for vs in attributes.values() for v in vs] + [" ".join(t) for t in relations]


def as_json(e):
    return {"objects": list(e[0]), "attributes": {k: list(v) for k, v in e[1].items()},
            "relations": [list(t) for t in e[2]]}


def save_case(save, mode, seed, d, results, parsed):
    out = os.path.join(save, f"{mode}_{seed}")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    for f in ("refs.json", "preds.json", "sim.json"):
        shutil.copy(os.path.join(d, f), out)
    json.dump({k: {iid: dict(zip(KEYS, v)) for iid, v in r.items()} for k, r in results.items()},
              open(os.path.join(out, "expected.json"), "w"), indent=0)
    if mode == "graphs":
        shutil.copytree(os.path.join(d, "nltk", "taggers"), os.path.join(out, "taggers"))
        json.dump({"refs": {iid: [as_json(g) for g in gts] for iid, (_, gts) in parsed.items()},
                   "preds": {iid: as_json(cand) for iid, (cand, _) in parsed.items()}},
                  open(os.path.join(out, "expected_parse.json"), "w"), ensure_ascii=False)


def run_case(mode, seed, save=None):
    rng = random.Random(seed)
    d = os.path.join(WORK, str(seed))
    os.makedirs(d)
    extra = []
    if mode == "graphs":
        random_tagger(rng, d + "/nltk")
        ref.use_nltk_data(d + "/nltk")
        extra = ["--nltk-data", d + "/nltk", "--dump-parse", d + "/dump.json"]
    make = random_caption if mode == "graphs" else random_elements
    refs, preds = {}, {}
    for i in range(15 if mode == "graphs" else 20):
        iid = str(1000 + i)
        refs[iid] = [make(rng) for _ in range(rng.choice([1, 1, 2, 3]))]
        preds[iid] = make(rng)
        if rng.random() < 0.6:  # the candidate shares part of a reference
            r = refs[iid][0]
            if mode == "graphs":
                preds[iid] = {"text": r["text"] + " " + preds[iid]["text"],
                              "graphs": [g if rng.random() < 0.6 else h for g, h in zip(r["graphs"], preds[iid]["graphs"])]
                              + preds[iid]["graphs"][len(r["graphs"]):]}
            else:
                preds[iid]["objects"] = list(dict.fromkeys(preds[iid]["objects"] + r["objects"][: rng.randrange(0, 4)]))
    json.dump(refs, open(d + "/refs.json", "w"), ensure_ascii=False)
    json.dump(preds, open(d + "/preds.json", "w"), ensure_ascii=False)
    _, parsed = ref.score(refs, preds, {}, False, mode)
    table = {}
    for cand, gts in parsed.values():  # dyadic cosines: float32 and float64 sums agree exactly
        for c in phrases(cand):
            for gt in gts:
                for q in phrases(gt):
                    if rng.random() < 0.5:
                        table[c + "|" + q] = rng.randrange(-512, 1025) / 1024.0
    json.dump(table, open(d + "/sim.json", "w"), ensure_ascii=False)
    bad = checked = nonzero = 0
    results = {}
    for soft in (True, False):
        want, _ = ref.score(refs, preds, table, soft, mode)
        results["soft" if soft else "nosoft"] = want
        cmd = [PGC, "caption", "--metrics", "capture", "--capture-mode", mode, "--refs", d + "/refs.json",
               "--preds", d + "/preds.json", "--per-image", "--quiet", "--json", d + "/out.json"] + extra
        cmd += ["--capture-similarity", d + "/sim.json"] if soft else ["--capture-no-soft"]
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            print(f"seed {seed}: pgc failed: {p.stderr.strip()[:300]}")
            return 1, 0, 0
        got = json.load(open(d + "/out.json"))["per_image"]
        for iid, values in want.items():
            for k, v in zip(KEYS, values):
                checked += 1
                nonzero += v != 0
                if abs(got[iid][k] - v) > 1e-9:
                    bad += 1
                    print(f"seed {seed} soft {soft} image {iid} {k}: pgc {got[iid][k]!r} reference {v!r}")
    if mode == "graphs":
        dump = json.load(open(d + "/dump.json"))
        for iid, (cand, gts) in parsed.items():
            want = json.dumps((as_json(cand), [as_json(g) for g in gts]), ensure_ascii=False)
            got = json.dumps((dump["preds"][iid], dump["refs"][iid]), ensure_ascii=False)
            checked += 1
            if want != got:
                bad += 1
                print(f"seed {seed} image {iid}: extraction differs\n  reference {want[:500]}\n  pgc       {got[:500]}")
    if save:
        save_case(save, mode, seed, d, results, parsed)
    return bad, checked, nonzero


def main():
    args = sys.argv[1:]
    save = None
    if "--save" in args:
        i = args.index("--save")
        save = os.path.abspath(args[i + 1])
        del args[i:i + 2]
    mode, first, last = args[0], int(args[1]), int(args[2])
    if mode not in ("elements", "graphs"):
        sys.exit("mode: elements or graphs")
    bad = checked = nonzero = 0
    for seed in range(first, last):
        b, c, n = run_case(mode, seed, save)
        bad, checked, nonzero = bad + b, checked + c, nonzero + n
    print(f"{mode}, seeds {first}..{last - 1}: {checked} values checked ({nonzero} nonzero), {bad} differences")
    shutil.rmtree(WORK)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()

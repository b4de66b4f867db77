"""The real CAPTURE reference code, loaded for differential checks of pgc (run by hand; see README).

Loads capture/capture_metric/capture.py from a CAPTURE checkout and FactualSceneGraph's parser
post-processing (utils.py, scene_graph_parser.py) from a FactualSceneGraph checkout, straight from
git, with the neural parts stubbed: the parser returns given graph strings (then the real
clean-up and graph_string_to_object run), and the soft stage reads a similarity table instead of
an encoder (candidate features = the table's rows, reference features = the identity, so the
reference's own dot product yields the table). Python sets are replaced by insertion-ordered sets,
which is the first-appearance order pgc documents (the reference's own order follows string
hashes). Nothing of the reference is stored in this repository.
"""
import contextlib, json, os, subprocess, sys, types

import numpy as np

CAPTURE_REPO = os.environ.get("CAPTURE_REPO", "")  # github.com/foundation-multimodal-models/CAPTURE
CAPTURE_REV = os.environ.get("CAPTURE_REV", "HEAD")
FSG_REPO = os.environ.get("FSG_REPO", "")  # github.com/zhuang-li/FactualSceneGraph
FSG_REV = os.environ.get("FSG_REV", "3f67cc1")  # 2023-11-21: the v0.5 code a 2024 CAPTURE install ran


def git_show(repo, rev, path):
    if not repo:
        sys.exit("set CAPTURE_REPO and FSG_REPO to git checkouts of the reference repositories (README.md)")
    return subprocess.run(["git", "-C", repo, "show", f"{rev}:{path}"], capture_output=True, text=True, check=True).stdout


def stub(name, **attrs):
    m = types.ModuleType(name)
    m.__dict__.update(attrs)
    sys.modules[name] = m
    return m


class _Any:
    def __init__(self, *a, **k):
        pass


class OrderedSet:
    """set() as the reference uses it, iterating in insertion order."""
    def __init__(self, it=()):
        self.d = dict.fromkeys(it)

    def add(self, x):
        self.d[x] = None

    def __iter__(self):
        return iter(self.d)

    def __len__(self):
        return len(self.d)

    def __contains__(self, x):
        return x in self.d

    def intersection(self, o):
        return OrderedSet(x for x in self.d if x in o)

    def union(self, o):
        return OrderedSet(list(self.d) + list(o))


TABLE = {}


def _encode_phrases(encoder, cands, refs, batch_size=4):
    m = np.array([[TABLE.get(c + "|" + r, 0.0) for r in refs] for c in cands], dtype=np.float64)
    return m, np.eye(len(refs))


def _load():
    stub("tabulate", TableFormat=_Any, Line=_Any, DataRow=_Any, tabulate=lambda *a, **k: "")
    for name, attrs in (("tqdm", dict(tqdm=lambda x, **k: x)),
                        ("torch", dict(no_grad=contextlib.nullcontext, multiprocessing=None))):
        try:
            __import__(name)
        except ImportError:
            stub(name, **attrs)
    stub("sentence_transformers", SentenceTransformer=_Any)
    stub("transformers", AutoTokenizer=None, AutoModelForSeq2SeqLM=None)
    for n in ("factual_scene_graph", "factual_scene_graph.parser", "factual_scene_graph.evaluation"):
        stub(n)
    stub("factual_scene_graph.parser.scene_graph_parser", SceneGraphParser=_Any)
    stub("factual_scene_graph.evaluation.soft_spice_evaluation", encode_phrases=_encode_phrases)
    stub("capture_metric")
    exec(git_show(CAPTURE_REPO, CAPTURE_REV, "capture/capture_metric/stop_words.py"),
         stub("capture_metric.stop_words").__dict__)
    utils = stub("fsg_utils")
    exec(git_show(FSG_REPO, FSG_REV, "src/factual_scene_graph/utils.py"), utils.__dict__)
    parser = types.ModuleType("fsg_parser")
    parser.__dict__["set"] = OrderedSet
    exec(git_show(FSG_REPO, FSG_REV, "src/factual_scene_graph/parser/scene_graph_parser.py")
         .replace("from ..utils import", "from fsg_utils import"), parser.__dict__)
    capture = types.ModuleType("capture_reference_code")
    capture.__dict__["set"] = OrderedSet
    exec(compile(git_show(CAPTURE_REPO, CAPTURE_REV, "capture/capture_metric/capture.py"), "capture.py", "exec"),
         capture.__dict__)
    return utils, parser, capture


UTILS, PARSER, CAPTURE = _load()


def use_nltk_data(nltk_dir):
    """NLTK 3.8's tokenizers and tagger with the punkt_tab / tagger JSON files of `nltk_dir`
    (the layout pgc --nltk-data reads; NLTK 3.8 itself only loads pickles)."""
    import nltk.tag
    import nltk.tokenize
    from nltk.tag.perceptron import PerceptronTagger
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer
    d = nltk_dir + "/tokenizers/punkt_tab/english/"

    def lines(f):
        return [l.rstrip("\n") for l in open(d + f, encoding="utf-8") if l.rstrip("\n")]
    p = PunktParameters()
    p.abbrev_types = set(lines("abbrev_types.txt"))
    p.sent_starters = set(lines("sent_starters.txt"))
    p.collocations = set(tuple(l.split("\t")) for l in lines("collocations.tab"))
    for l in lines("ortho_context.tab"):
        w, n = l.split("\t")
        p.ortho_context[w] = int(n)
    punkt = PunktSentenceTokenizer(p)
    nltk.tokenize.sent_tokenize = lambda text, language="english": punkt.tokenize(text)
    CAPTURE.sent_tokenize = nltk.tokenize.sent_tokenize
    t = nltk_dir + "/taggers/averaged_perceptron_tagger_eng/averaged_perceptron_tagger_eng."
    tagger = PerceptronTagger(load=False)
    tagger.model.weights = json.load(open(t + "weights.json"))
    tagger.tagdict = json.load(open(t + "tagdict.json"))
    tagger.classes = tagger.model.classes = set(json.load(open(t + "classes.json")))
    nltk.tag._get_tagger = lambda lang=None: tagger


class _GivenGraphs:
    """Stands in for SceneGraphParser: the given strings, then the real v0.5 post-processing."""
    graphs = []

    def parse(self, sentences, **kw):
        p = object.__new__(PARSER.SceneGraphParser)
        return [PARSER.SceneGraphParser.graph_string_to_object(p, UTILS.clean_graph_string(
            UTILS.space_out_symbols_in_graph(g.replace("Generate Scene Graph:", "").strip()))) for g in self.graphs]


def new_capture(soft):
    c = CAPTURE.CAPTURE(soft_matching=False)
    c.soft_matching, c.text_encoder, c.parser = soft, None, _GivenGraphs()
    return c


def elements_tuple(e):
    return (list(e["objects"]), {k: list(v) for k, v in e["attributes"].items()}, [tuple(t) for t in e["relations"]])


def extract(c, caption):
    """graphs mode: {"text", "graphs"} -> (objects, attributes, relations) by the reference."""
    c.parser.graphs = caption["graphs"]
    _, objects, attributes, relations = c.sample_to_parse_results(("x", caption["text"]))
    return list(objects), {k: list(v) for k, v in attributes.items()}, [tuple(r) for r in relations]


def score(refs, preds, table, soft, mode):
    """Per image: the mean over its references of compute_f_score's 10 values (as the fixtures)."""
    TABLE.clear()
    TABLE.update(table)
    c = new_capture(soft)
    get = (lambda x: extract(c, x)) if mode == "graphs" else elements_tuple
    out, parsed = {}, {}
    for iid, ref_list in refs.items():
        cand, gts = get(preds[iid]), [get(r) for r in ref_list]
        parsed[iid] = (cand, gts)
        rows = [c.compute_f_score(gt, cand) for gt in gts]
        out[iid] = [float(np.mean([row[k] for row in rows])) for k in range(10)]
    return out, parsed

#define BOOST_TEST_MODULE grounded_cli
// `pgc grounded` end to end: every case of fixtures/grounded/cases/ (PQ of grounded masks as
// panopticapi computed it, GCG numbers as GLaMM's evaluate.py computed them with a
// text-similarity table), caption metrics equal to `pgc caption` on the same captions, and bad
// inputs (exit 2, one clear line, no output file).
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "caption/pgc_jsonl.hpp"
#include "core/json.hpp"
#include "tests/cli_util.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path kCases = fs::path(PGC_FIXTURES_DIR) / "grounded" / "cases";
const char* kCaseNames[] = {"real_perfect", "real_perturbed", "edge_recall_quirks",
                            "edge_empty_null", "edge_many_preds", "synth_medium_50"};
constexpr double kPqTol = 1e-6;   // fixtures/grounded/README.md
constexpr double kGcgTol = 1e-9;

using pgc_test::q;
using pgc_test::slurp;
using pgc_test::Run;
using pgc_test::TempDir;

Run run_pgc(const std::string& args, const fs::path& logs) { return pgc_test::run_pgc_command(args, logs); }

std::string case_args(const fs::path& dir) {
  return "grounded --gt " + q(dir / "gt.jsonl") + " --pred " + q(dir / "pred.jsonl") + " --text-similarity " +
         q(dir / "text_similarity.json") + " --threads 2 --quiet";
}

void check_close(double got, double want, double tol, const std::string& what) {
  BOOST_TEST_CONTEXT(what) { BOOST_TEST(std::fabs(got - want) <= tol, got << " vs " << want); }
}

void check_group(const pgc::JsonValue& got, const pgc::JsonValue& want, const std::string& what) {
  for (const char* k : {"pq", "sq", "rq"}) check_close(got[k].GetDouble(), want[k].GetDouble(), kPqTol, what + " " + k);
  BOOST_TEST(got["n"].GetInt() == want["n"].GetInt(), what << " n");
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_fixture_case_pq_and_gcg) {
  for (const char* name : kCaseNames) {
    BOOST_TEST_CONTEXT(name) {
      TempDir tmp(name);
      const fs::path dir = kCases / name;
      const fs::path out = tmp.path / "result.json";
      const Run r = run_pgc(case_args(dir) + " --metrics pq,gcg --json " + q(out), tmp.path);
      BOOST_REQUIRE_MESSAGE(r.rc == 0, r.err);
      const pgc::JsonDoc got = pgc::read_json_file(out.string());
      const pgc::JsonDoc want = pgc::read_json_file((dir / "expected.json").string());
      BOOST_TEST(std::string(got["task"].GetString()) == "grounded");
      BOOST_TEST(std::string(got["signature"].GetString()).find("recall:stop") != std::string::npos);

      const auto& pq = got["pq"];
      for (const char* g : {"All", "Things", "Stuff"}) check_group(pq[g], want["pq"][g], g);
      const auto& want_classes = want["pq"]["per_class"];
      BOOST_TEST(pq["per_class"].MemberCount() == want_classes.MemberCount());
      for (const auto& m : want_classes.GetObject()) {
        const std::string cat = m.name.GetString();
        BOOST_TEST_CONTEXT("class " << cat) {
          BOOST_REQUIRE(pq["per_class"].HasMember(cat.c_str()));
          const auto& c = pq["per_class"][cat.c_str()];
          for (const char* k : {"pq", "sq", "rq"}) check_close(c[k].GetDouble(), m.value[k].GetDouble(), kPqTol, k);
        }
      }

      const auto& gcg = got["gcg"];
      for (const char* k : {"AP50", "AP", "mIoU", "recall"})
        check_close(gcg[k].GetDouble(), want["gcg"][k].GetDouble(), kGcgTol, k);
      BOOST_TEST(gcg["recall_true_positives"].GetUint64() == want["gcg"]["recall_true_positives"].GetUint64());
      BOOST_TEST(gcg["recall_gt_labels"].GetUint64() == want["gcg"]["recall_gt_labels"].GetUint64());
      BOOST_REQUIRE(gcg["coco_summary"].Size() == want["gcg"]["coco_summary"].Size());
      for (rapidjson::SizeType i = 0; i < gcg["coco_summary"].Size(); ++i)
        check_close(gcg["coco_summary"][i].GetDouble(), want["gcg"]["coco_summary"][i].GetDouble(), kGcgTol,
                    "coco_summary " + std::to_string(i));
      BOOST_TEST(!gcg.HasMember("recall_skip"));  // only with --recall-skip
      BOOST_TEST(!got.HasMember("caption"));  // not asked for
    }
  }
}

BOOST_AUTO_TEST_CASE(results_do_not_depend_on_the_thread_count) {
  const fs::path dir = kCases / "synth_medium_50";
  TempDir tmp("threads");
  std::string docs[2];
  for (int t : {1, 2}) {
    const fs::path out = tmp.path / ("t" + std::to_string(t) + ".json");
    const Run r = run_pgc("grounded --gt " + q(dir / "gt.jsonl") + " --pred " + q(dir / "pred.jsonl") +
                              " --text-similarity " + q(dir / "text_similarity.json") + " --metrics pq,gcg --quiet" +
                              " --threads " + std::to_string(t) + " --json " + q(out),
                          tmp.path);
    BOOST_REQUIRE_MESSAGE(r.rc == 0, r.err);
    const pgc::JsonDoc d = pgc::read_json_file(out.string());
    docs[t - 1] = pgc::to_json(d["pq"]) + pgc::to_json(d["gcg"]);
  }
  BOOST_TEST(docs[0] == docs[1]);
}

// Caption metrics on the plain captions, GT caption as the single reference: the same numbers
// as `pgc caption` on the same captions (METEOR with the fixtures' English data, no paraphrases).
BOOST_AUTO_TEST_CASE(caption_metrics_equal_pgc_caption) {
  const fs::path dir = kCases / "real_perturbed";
  TempDir tmp("caption");
  const fs::path meteor = fs::path(PGC_FIXTURES_DIR) / "caption" / "meteor" / "resources";
  const std::string meteor_args = " --meteor-data " + q(meteor) + " --meteor-paraphrase none";
  std::string refs = "{", preds = "{";
  const auto gts = pgc::read_ground_truth((dir / "gt.jsonl").string());
  const auto prs = pgc::read_predictions((dir / "pred.jsonl").string());
  for (size_t i = 0; i < gts.size(); ++i) {
    pgc::JsonDoc d(rapidjson::kObjectType);
    auto& a = d.GetAllocator();
    refs += std::string(i ? "," : "") + "\"" + gts[i].image_id.key + "\": [" +
            pgc::to_json(pgc::JsonValue(gts[i].caption.c_str(), a), false) + "]";
  }
  for (size_t i = 0; i < prs.size(); ++i) {
    pgc::JsonDoc d(rapidjson::kObjectType);
    auto& a = d.GetAllocator();
    preds += std::string(i ? "," : "") + "\"" + prs[i].image_id.key + "\": " +
             pgc::to_json(pgc::JsonValue(prs[i].caption.c_str(), a), false);
  }
  const fs::path refs_file = tmp.write("refs.json", refs + "}");
  const fs::path preds_file = tmp.write("preds.json", preds + "}");
  const fs::path want_out = tmp.path / "caption.json", got_out = tmp.path / "grounded.json";
  Run r = run_pgc("caption --refs " + q(refs_file) + " --preds " + q(preds_file) + meteor_args + " --quiet --json " +
                      q(want_out),
                  tmp.path);
  BOOST_REQUIRE_MESSAGE(r.rc == 0, r.err);
  r = run_pgc("grounded --gt " + q(dir / "gt.jsonl") + " --pred " + q(dir / "pred.jsonl") + meteor_args +
                  " --metrics caption --quiet --json " + q(got_out),
              tmp.path);
  BOOST_REQUIRE_MESSAGE(r.rc == 0, r.err);
  const pgc::JsonDoc want = pgc::read_json_file(want_out.string());
  const pgc::JsonDoc got = pgc::read_json_file(got_out.string());
  BOOST_REQUIRE(got.HasMember("caption"));
  BOOST_TEST(got["caption"].MemberCount() == 7u);  // Bleu_1..4, METEOR, ROUGE_L, CIDEr
  for (const auto& m : want["corpus"].GetObject()) {
    BOOST_TEST_CONTEXT(m.name.GetString()) {
      BOOST_REQUIRE(got["caption"].HasMember(m.name.GetString()));
      BOOST_TEST(got["caption"][m.name.GetString()].GetDouble() == m.value.GetDouble());
    }
  }
  BOOST_TEST(!got.HasMember("pq"));
  BOOST_TEST(!got.HasMember("gcg"));
}

BOOST_AUTO_TEST_CASE(table_on_stdout) {
  const fs::path dir = kCases / "real_perfect";
  TempDir tmp("table");
  const Run r = run_pgc(case_args(dir) + " --metrics pq,gcg --name mysys", tmp.path);
  BOOST_REQUIRE_MESSAGE(r.rc == 0, r.err);
  BOOST_TEST(r.out.find("pgc grounded: mysys (2 images)") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("AP50") != std::string::npos);
  BOOST_TEST(r.out.find("Things") != std::string::npos);
}

// Each bad input: exit 2, a message naming the problem, nothing written.
void expect_refused(const std::string& args, const TempDir& tmp, const std::string& message_part) {
  const fs::path out = tmp.path / "never.json";
  const Run r = run_pgc(args + " --json " + q(out), tmp.path);
  BOOST_TEST(r.rc == 2, r.err);
  BOOST_TEST(r.err.find(message_part) != std::string::npos, r.err);
  BOOST_TEST(!fs::exists(out));
  for (const auto& e : fs::directory_iterator(tmp.path))  // no temp leftovers either
    BOOST_TEST(e.path().filename().string().find("never") == std::string::npos, e.path());
}

BOOST_AUTO_TEST_CASE(bad_inputs_exit_2_and_write_nothing) {
  const fs::path dir = kCases / "real_perfect";
  TempDir tmp("bad");
  const std::string sim = " --text-similarity " + q(dir / "text_similarity.json") + " --metrics pq,gcg --quiet";
  const std::string pred_lines = slurp(dir / "pred.jsonl");
  const std::string first_line = pred_lines.substr(0, pred_lines.find('\n'));

  // A prediction for an image the GT does not have.
  {
    pgc::JsonDoc d = pgc::parse_json(first_line, "pred");
    d["image_id"].SetInt64(987654321);
    const fs::path p = tmp.write("unknown.in", pred_lines + pgc::to_json(d, false) + "\n");
    expect_refused("grounded --gt " + q(dir / "gt.jsonl") + " --pred " + q(p) + sim, tmp, "unknown image id");
  }
  // The same image twice.
  {
    const fs::path p = tmp.write("dup.in", pred_lines + first_line + "\n");
    expect_refused("grounded --gt " + q(dir / "gt.jsonl") + " --pred " + q(p) + sim, tmp, "duplicate image id");
  }
  // A malformed line.
  {
    const fs::path p = tmp.write("malformed.in", first_line + "\n{\"image_id\": 5, \"caption\": \n");
    expect_refused("grounded --gt " + q(dir / "gt.jsonl") + " --pred " + q(p) + sim, tmp, "line 2");
  }
  // The GT's panoptic PNG is missing (paths are relative to the GT file's folder).
  {
    const fs::path g = tmp.write("gt.jsonl", slurp(dir / "gt.jsonl"));
    expect_refused("grounded --gt " + q(g) + " --pred " + q(dir / "pred.jsonl") + sim, tmp, "panoptic PNG not found");
    fs::remove(g);
  }
  // A phrase with a mask but no category_id (--class-map given).
  {
    pgc::JsonDoc d = pgc::parse_json(first_line, "pred");
    d["phrases"][0].RemoveMember("category_id");
    const std::string rest = pred_lines.substr(pred_lines.find('\n') + 1);
    const fs::path p = tmp.write("nocat.in", pgc::to_json(d, false) + "\n" + rest);
    expect_refused("grounded --gt " + q(dir / "gt.jsonl") + " --pred " + q(p) + sim, tmp, "no category_id");
  }
  // A similarity table without the pairs the recall examines.
  {
    const fs::path s = tmp.write("sim.in", "{\"x|y\": 0.5}");
    expect_refused("grounded --gt " + q(dir / "gt.jsonl") + " --pred " + q(dir / "pred.jsonl") +
                       " --metrics gcg --quiet --text-similarity " + q(s),
                   tmp, "sim.in");
  }
}

BOOST_AUTO_TEST_CASE(bert_paths_need_a_model) {
  const fs::path dir = kCases / "real_perfect";
  TempDir tmp("bert");
  const std::string base = "grounded --gt " + q(dir / "gt.jsonl") + " --pred " + q(dir / "pred.jsonl") + " --quiet";
  expect_refused(base + " --metrics pq --class-map bert", tmp, "--bert DIR");
  expect_refused(base + " --metrics gcg", tmp, "--text-similarity FILE");
  expect_refused(base + " --metrics pq --class-map bert --bert /nonexistent", tmp, "/nonexistent");
  expect_refused(base + " --metrics gcg --bert /nonexistent", tmp, "/nonexistent");
  expect_refused(base + " --metrics pq,bogus", tmp, "unknown metric");
}

// A GT image without prediction: an error by default; with --allow-missing it is scored as an
// empty prediction (its GT segments become false negatives, its spans unmatched labels).
BOOST_AUTO_TEST_CASE(missing_prediction_needs_allow_missing) {
  const fs::path dir = kCases / "real_perfect";
  TempDir tmp("missing");
  const std::string pred_lines = slurp(dir / "pred.jsonl");
  const fs::path p = tmp.write("one.in", pred_lines.substr(0, pred_lines.find('\n') + 1));
  const std::string base = "grounded --gt " + q(dir / "gt.jsonl") + " --pred " + q(p) + " --text-similarity " +
                           q(dir / "text_similarity.json") + " --metrics pq,gcg --quiet";
  expect_refused(base, tmp, "no prediction for this ground-truth image");
  const fs::path out = tmp.path / "partial.json", full_out = tmp.path / "full.json";
  Run r = run_pgc(base + " --allow-missing --json " + q(out), tmp.path);
  BOOST_REQUIRE_MESSAGE(r.rc == 0, r.err);
  r = run_pgc(case_args(dir) + " --metrics pq,gcg --json " + q(full_out), tmp.path);
  BOOST_REQUIRE_MESSAGE(r.rc == 0, r.err);
  const pgc::JsonDoc part = pgc::read_json_file(out.string());
  const pgc::JsonDoc full = pgc::read_json_file(full_out.string());
  BOOST_TEST(part["gcg"]["recall_gt_labels"].GetUint64() == full["gcg"]["recall_gt_labels"].GetUint64());
  BOOST_TEST(part["gcg"]["recall_true_positives"].GetUint64() < full["gcg"]["recall_true_positives"].GetUint64());
  BOOST_TEST(part["pq"]["All"]["rq"].GetDouble() < full["pq"]["All"]["rq"].GetDouble());
}

// The bundled sample (scripts/demo.sh scores it): valid input, both GT modes run. The sample
// predicts only caption-referenced segments, so the grounded mode (unreferenced segments become
// VOID) only removes false negatives and cannot lower RQ-thing.
BOOST_AUTO_TEST_CASE(bundled_sample_scores) {
  const fs::path sample = fs::path(PGC_SOURCE_DIR) / "data" / "samples" / "grounded";
  TempDir tmp("sample");
  pgc::JsonDoc docs[2];
  int k = 0;
  for (const char* mode : {"full", "grounded"}) {
    const fs::path out = tmp.path / (std::string(mode) + ".json");
    const Run r = run_pgc("grounded --gt " + q(sample / "gt.jsonl") + " --pred " +
                              q(sample / "sample_system.pred.jsonl") + " --metrics pq --quiet --gt-mode " + mode +
                              " --json " + q(out),
                          tmp.path);
    BOOST_REQUIRE_MESSAGE(r.rc == 0, r.err);
    docs[k] = pgc::read_json_file(out.string());
    BOOST_TEST(docs[k]["pq"]["All"]["n"].GetInt() > 0);
    ++k;
  }
  BOOST_TEST(docs[1]["pq"]["Things"]["rq"].GetDouble() >= docs[0]["pq"]["Things"]["rq"].GetDouble());
  BOOST_TEST(std::string(docs[1]["signature"].GetString()).find("pq.gt:grounded") != std::string::npos);
}

// The results' "stats" block alone rebuilds every corpus number (the "grounded" resampler that
// `pgc compare` / `pgc gate` use): compare's point estimates equal the results file's values.
BOOST_AUTO_TEST_CASE(stats_block_rebuilds_the_corpus_numbers_for_compare) {
  TempDir tmp("compare");
  const fs::path meteor = fs::path(PGC_FIXTURES_DIR) / "caption" / "meteor" / "resources";
  const fs::path gt = kCases / "real_perturbed" / "gt.jsonl";  // real_perfect has the same GT
  fs::path outs[2];
  int k = 0;
  for (const char* c : {"real_perfect", "real_perturbed"}) {
    outs[k] = tmp.path / (std::string(c) + ".json");
    const Run r = run_pgc("grounded --gt " + q(gt) + " --pred " + q(kCases / c / "pred.jsonl") +
                              " --text-similarity " + q(kCases / c / "text_similarity.json") + " --meteor-data " +
                              q(meteor) + " --meteor-paraphrase none --recall-skip --quiet --json " + q(outs[k]),
                          tmp.path);
    BOOST_REQUIRE_MESSAGE(r.rc == 0, r.err);
    ++k;
  }
  const fs::path cmp = tmp.path / "compare.json";
  const Run r = run_pgc("compare " + q(outs[0]) + " " + q(outs[1]) +
                            " --bootstrap 20 --allow-signature-mismatch --json " + q(cmp),
                        tmp.path);
  BOOST_REQUIRE_MESSAGE(r.rc == 0 || r.rc == 1, r.err);  // 1: B is significantly worse (it is)
  const pgc::JsonDoc c = pgc::read_json_file(cmp.string());
  for (int side = 0; side < 2; ++side) {
    const pgc::JsonDoc res = pgc::read_json_file(outs[side].string());
    const char* s = side == 0 ? "a" : "b";
    const auto& m = c["metrics"];
    BOOST_TEST(m["PQ"][s].GetDouble() == res["pq"]["All"]["pq"].GetDouble());
    BOOST_TEST(m["PQ_th"][s].GetDouble() == res["pq"]["Things"]["pq"].GetDouble());
    BOOST_TEST(m["PQ_st"][s].GetDouble() == res["pq"]["Stuff"]["pq"].GetDouble());
    for (const char* g : {"AP50", "AP", "mIoU", "recall", "recall_skip"})
      BOOST_TEST(m[g][s].GetDouble() == res["gcg"][g].GetDouble(), g);
    for (const char* g : {"Bleu_4", "METEOR", "ROUGE_L", "CIDEr"})
      BOOST_TEST(std::fabs(m[g][s].GetDouble() - res["caption"][g].GetDouble()) <= 1e-12, g);
  }
}

// --recall-skip adds pgc's variant next to GLaMM's recall, which stays the reference value; on
// the case built around the early stop the variant finds more matches.
BOOST_AUTO_TEST_CASE(recall_skip_flag_adds_the_variant) {
  const fs::path dir = kCases / "edge_recall_quirks";
  TempDir tmp("recall_skip");
  const fs::path out = tmp.path / "skip.json";
  Run r = run_pgc(case_args(dir) + " --metrics gcg --recall-skip --json " + q(out), tmp.path);
  BOOST_REQUIRE_MESSAGE(r.rc == 0, r.err);
  const pgc::JsonDoc got = pgc::read_json_file(out.string());
  const pgc::JsonDoc want = pgc::read_json_file((dir / "expected.json").string());
  const auto& gcg = got["gcg"];
  check_close(gcg["recall"].GetDouble(), want["gcg"]["recall"].GetDouble(), kGcgTol, "recall");
  BOOST_REQUIRE(gcg.HasMember("recall_skip"));
  BOOST_TEST(gcg["recall_skip"].GetDouble() > gcg["recall"].GetDouble());
  BOOST_TEST(gcg["recall_skip_true_positives"].GetUint64() > gcg["recall_true_positives"].GetUint64());
  BOOST_TEST(std::string(got["signature"].GetString()).find("recall:stop+skip") != std::string::npos);
  r = run_pgc(case_args(dir) + " --metrics gcg --recall-skip", tmp.path);
  BOOST_REQUIRE_MESSAGE(r.rc == 0, r.err);
  BOOST_TEST(r.out.find("recall_skip") != std::string::npos, r.out);
  r = run_pgc(case_args(dir) + " --metrics gcg", tmp.path);
  BOOST_TEST(r.out.find("recall_skip") == std::string::npos, r.out);
  expect_refused(case_args(dir) + " --metrics pq --recall-skip", tmp, "--recall-skip needs gcg");
}

// CAPTURE in the caption block runs `pgc caption`'s CAPTURE code: the same number from the same
// element files (the capture fixture's first two images, keyed by the GT image ids), next to
// the text metrics; per-image statistics land in "stats" and `pgc compare` rebuilds CAPTURE.
BOOST_AUTO_TEST_CASE(capture_in_grounded_equals_pgc_caption) {
  const fs::path dir = kCases / "real_perturbed";
  const fs::path cap = fs::path(PGC_FIXTURES_DIR) / "capture" / "small";
  TempDir tmp("capture");
  const pgc::JsonDoc refs = pgc::read_json_file((cap / "refs.json").string());
  const pgc::JsonDoc preds = pgc::read_json_file((cap / "preds.json").string());
  const auto gts = pgc::read_ground_truth((dir / "gt.jsonl").string());
  pgc::JsonDoc r_out(rapidjson::kObjectType), p_out(rapidjson::kObjectType);
  auto ref_it = refs.MemberBegin();
  for (const auto& g : gts) {
    BOOST_REQUIRE(ref_it != refs.MemberEnd());
    r_out.AddMember(pgc::JsonValue(g.image_id.key.c_str(), r_out.GetAllocator()),
                    pgc::JsonValue(ref_it->value, r_out.GetAllocator()), r_out.GetAllocator());
    p_out.AddMember(pgc::JsonValue(g.image_id.key.c_str(), p_out.GetAllocator()),
                    pgc::JsonValue(preds[ref_it->name], p_out.GetAllocator()), p_out.GetAllocator());
    ++ref_it;
  }
  const fs::path rf = tmp.write("el_refs.json", pgc::to_json(r_out));
  const fs::path pf = tmp.write("el_preds.json", pgc::to_json(p_out));
  const std::string soft = " --capture-similarity " + q(cap / "similarity.json");
  const fs::path want_out = tmp.path / "caption.json", got_out = tmp.path / "grounded.json";
  Run r = run_pgc("caption --refs " + q(rf) + " --preds " + q(pf) + " --metrics capture --capture-mode elements" + soft +
                      " --quiet --json " + q(want_out),
                  tmp.path);
  BOOST_REQUIRE_MESSAGE(r.rc == 0, r.err);
  const std::string base = "grounded --gt " + q(dir / "gt.jsonl") + " --pred " + q(dir / "pred.jsonl") +
                           " --metrics caption --quiet --capture-mode elements --capture-elements-gt " + q(rf) +
                           " --capture-elements-pred " + q(pf) + soft;
  r = run_pgc(base + " --caption-metrics bleu,rouge,capture --json " + q(got_out), tmp.path);
  BOOST_REQUIRE_MESSAGE(r.rc == 0, r.err);
  const pgc::JsonDoc want = pgc::read_json_file(want_out.string());
  const pgc::JsonDoc got = pgc::read_json_file(got_out.string());
  BOOST_REQUIRE(got["caption"].HasMember("CAPTURE"));
  BOOST_TEST(got["caption"]["CAPTURE"].GetDouble() == want["corpus"]["CAPTURE"].GetDouble());
  BOOST_TEST(got["caption"].HasMember("Bleu_4"));
  BOOST_TEST(got["caption"].HasMember("ROUGE_L"));
  BOOST_TEST(!got["caption"].HasMember("METEOR"));
  BOOST_TEST(got["stats"][gts[0].image_id.key.c_str()].HasMember("capture"));
  BOOST_TEST(std::string(got["signature"].GetString()).find("capture.") != std::string::npos);

  // pgc compare rebuilds CAPTURE from the stats block.
  const fs::path cmp = tmp.path / "compare.json";
  r = run_pgc("compare " + q(got_out) + " " + q(got_out) + " --bootstrap 10 --json " + q(cmp), tmp.path);
  BOOST_REQUIRE_MESSAGE(r.rc == 0 || r.rc == 1, r.err);
  const pgc::JsonDoc c = pgc::read_json_file(cmp.string());
  BOOST_TEST(std::fabs(c["metrics"]["CAPTURE"]["a"].GetDouble() - got["caption"]["CAPTURE"].GetDouble()) <= 1e-12);

  // CAPTURE alone; then inputs that do not cover the GT images, and the unbuilt text modes.
  r = run_pgc(base + " --caption-metrics capture --json " + q(got_out), tmp.path);
  BOOST_REQUIRE_MESSAGE(r.rc == 0, r.err);
  BOOST_TEST(pgc::read_json_file(got_out.string())["caption"].MemberCount() == 1u);
  pgc::JsonDoc one_r(rapidjson::kObjectType), one_p(rapidjson::kObjectType);
  one_r.AddMember(pgc::JsonValue(gts[0].image_id.key.c_str(), one_r.GetAllocator()),
                  pgc::JsonValue(r_out[gts[0].image_id.key.c_str()], one_r.GetAllocator()), one_r.GetAllocator());
  one_p.AddMember(pgc::JsonValue(gts[0].image_id.key.c_str(), one_p.GetAllocator()),
                  pgc::JsonValue(p_out[gts[0].image_id.key.c_str()], one_p.GetAllocator()), one_p.GetAllocator());
  const fs::path rf1 = tmp.write("one_refs.in", pgc::to_json(one_r));
  const fs::path pf1 = tmp.write("one_preds.in", pgc::to_json(one_p));
  expect_refused("grounded --gt " + q(dir / "gt.jsonl") + " --pred " + q(dir / "pred.jsonl") +
                     " --metrics caption --caption-metrics capture --quiet --capture-mode elements --capture-elements-gt " +
                     q(rf1) + " --capture-elements-pred " + q(pf1) + soft,
                 tmp, "no CAPTURE elements for this ground-truth image");
  expect_refused("grounded --gt " + q(dir / "gt.jsonl") + " --pred " + q(dir / "pred.jsonl") +
                     " --metrics caption --caption-metrics capture --quiet" + soft,
                 tmp, "--capture-mode elements");
  expect_refused("grounded --gt " + q(dir / "gt.jsonl") + " --pred " + q(dir / "pred.jsonl") +
                     " --metrics caption --caption-metrics capture --capture-mode elements --quiet",
                 tmp, "--capture-elements-gt");
}

// The bad-input list through the CLI (each also has a reader-level test in
// test_pgc_jsonl.cpp): exit 2, the file / line / image / phrase named, nothing written.
BOOST_AUTO_TEST_CASE(bad_prediction_fields_exit_2_and_write_nothing) {
  const fs::path dir = kCases / "real_perfect";
  TempDir tmp("bad_fields");
  const std::string args = " --text-similarity " + q(dir / "text_similarity.json") + " --metrics pq,gcg --quiet";
  const std::string pred_lines = slurp(dir / "pred.jsonl");
  const std::string first_line = pred_lines.substr(0, pred_lines.find('\n'));
  const std::string rest = pred_lines.substr(pred_lines.find('\n') + 1);
  struct Edit {
    const char* name;
    std::function<void(pgc::JsonDoc&)> change;
    const char* message;
  };
  const Edit edits[] = {
      {"span_out_of_range", [](pgc::JsonDoc& d) { d["phrases"][0]["end"].SetUint64(100000); }, "out of range"},
      {"text_mismatch", [](pgc::JsonDoc& d) { d["phrases"][0]["text"].SetString("not the slice"); }, "does not match the caption"},
      {"mask_size",
       [](pgc::JsonDoc& d) {
         auto& m = d["phrases"][0]["mask"];
         m["size"][0].SetUint(1);
         m["size"][1].SetUint(2);
         m["counts"].SetArray();
         m["counts"].PushBack(1, d.GetAllocator()).PushBack(1, d.GetAllocator());
       },
       "does not match the image size"},
      {"malformed_rle", [](pgc::JsonDoc& d) { d["phrases"][0]["mask"]["counts"].SetString("!!"); }, "malformed RLE"},
  };
  for (const Edit& e : edits) {
    BOOST_TEST_CONTEXT(e.name) {
      pgc::JsonDoc d = pgc::parse_json(first_line, "pred");
      e.change(d);
      const fs::path p = tmp.write(std::string(e.name) + ".in", pgc::to_json(d, false) + "\n" + rest);
      expect_refused("grounded --gt " + q(dir / "gt.jsonl") + " --pred " + q(p) + args, tmp, e.message);
      const Run r = run_pgc("grounded --gt " + q(dir / "gt.jsonl") + " --pred " + q(p) + args, tmp.path);
      BOOST_TEST(r.err.find("line 1") != std::string::npos, r.err);
      BOOST_TEST(r.err.find("phrase 0") != std::string::npos, r.err);
    }
  }
}

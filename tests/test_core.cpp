#define BOOST_TEST_MODULE core
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/digest.hpp"
#include "core/error.hpp"
#include "core/json.hpp"
#include "core/signature.hpp"
#include "core/thread_pool.hpp"

namespace fs = std::filesystem;

BOOST_AUTO_TEST_CASE(malformed_json_names_line_and_column) {
  try {
    pgc::parse_json("{\"a\": 1,\n \"b\": }", "x.json");
    BOOST_FAIL("no error");
  } catch (const pgc::InputError& e) {
    BOOST_TEST(e.file() == "x.json");
    BOOST_TEST(e.item() == "line 2, column 7");
    BOOST_TEST(std::string(e.what()).find("malformed JSON") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(invalid_utf8_is_rejected) {
  BOOST_CHECK_THROW(pgc::parse_json("[\"a\xff\"]", "bad.json"), pgc::InputError);
}

BOOST_AUTO_TEST_CASE(missing_file_is_an_input_error) {
  BOOST_CHECK_THROW(pgc::read_file("/nonexistent/nowhere.json"), pgc::InputError);
}

BOOST_AUTO_TEST_CASE(json_doubles_round_trip) {
  auto d = pgc::parse_json("[0.1, 0.99999999975, 1e-300]", "t");
  auto d2 = pgc::parse_json(pgc::to_json(d, false), "t2");
  for (unsigned i = 0; i < 3; ++i) BOOST_TEST(d[i].GetDouble() == d2[i].GetDouble());
}

BOOST_AUTO_TEST_CASE(atomic_write_replaces_whole_file) {
  fs::path p = fs::temp_directory_path() / "pgc_test_atomic.txt";
  pgc::write_file_atomic(p.string(), "hello");
  std::ifstream in(p);
  std::string s((std::istreambuf_iterator<char>(in)), {});
  BOOST_TEST(s == "hello");
  fs::remove(p);
  BOOST_CHECK_THROW(pgc::write_file_atomic("/nonexistent/dir/out.json", "x"), pgc::InputError);
}

BOOST_AUTO_TEST_CASE(sha256_known_vector) {
  BOOST_TEST(pgc::sha256_bytes("abc") ==
             "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

BOOST_AUTO_TEST_CASE(parallel_for_visits_each_index_once_and_rethrows) {
  std::vector<std::atomic<int>> seen(1000);
  pgc::parallel_for(seen.size(), 2, [&](size_t i, int) { seen[i]++; });
  for (auto& s : seen) BOOST_TEST(s.load() == 1);
  BOOST_CHECK_THROW(pgc::parallel_for(100, 2,
                                      [](size_t i, int) {
                                        if (i == 37) throw pgc::InputError("f", "37", "bad");
                                      }),
                    pgc::InputError);
}

BOOST_AUTO_TEST_CASE(signature_round_trips) {
  pgc::Signature s;
  s.add("tok", "ptb-3.4.1").add("cider", "D,n4,sigma6");
  std::string text = s.str();
  BOOST_TEST(text == std::string("tok:ptb-3.4.1|cider:D,n4,sigma6|pgc:") + PGC_VERSION);
  auto back = pgc::Signature::parse(text);
  BOOST_TEST(back.fields().size() == 3u);
  BOOST_TEST(back.str() == text);
}

#include "core/bootstrap.hpp"

BOOST_AUTO_TEST_CASE(bootstrap_is_reproducible_and_brackets_the_value) {
  std::vector<double> x;
  for (int i = 0; i < 200; ++i) x.push_back((i * 37) % 101 / 100.0);
  pgc::CorpusFn mean = [&](const std::vector<size_t>& idx) {
    double s = 0;
    for (size_t i : idx) s += x[i];
    return std::map<std::string, double>{{"m", s / idx.size()}};
  };
  auto a = pgc::bootstrap_ci(x.size(), mean, 300, 7);
  auto b = pgc::bootstrap_ci(x.size(), mean, 300, 7);
  BOOST_TEST(a["m"].low == b["m"].low);
  BOOST_TEST(a["m"].high == b["m"].high);
  BOOST_TEST(a["m"].low < a["m"].value);
  BOOST_TEST(a["m"].value < a["m"].high);
  auto c = pgc::bootstrap_ci(x.size(), mean, 300, 8);
  BOOST_TEST(c["m"].low != a["m"].low);
}

BOOST_AUTO_TEST_CASE(paired_bootstrap_identical_systems_show_no_difference) {
  std::vector<double> x(100);
  for (size_t i = 0; i < x.size(); ++i) x[i] = (i % 7) / 7.0;
  pgc::CorpusFn f = [&](const std::vector<size_t>& idx) {
    double s = 0;
    for (size_t i : idx) s += x[i];
    return std::map<std::string, double>{{"m", s}};
  };
  auto t = pgc::paired_bootstrap(x.size(), f, f, 200, 1);
  BOOST_TEST(t["m"].delta == 0.0);
  BOOST_TEST(t["m"].p_value == 1.0);
  pgc::CorpusFn g = [&](const std::vector<size_t>& idx) {
    double s = 0;
    for (size_t i : idx) s += x[i] + 0.5;
    return std::map<std::string, double>{{"m", s}};
  };
  auto u = pgc::paired_bootstrap(x.size(), f, g, 200, 1);
  BOOST_TEST(u["m"].p_value < 0.05);
}

// `pgc leaderboard`: results files laid out as the paper's tables (core/leaderboard.hpp).
#include <memory>

#include "core/atomic_file.hpp"
#include "core/leaderboard.hpp"
#include "runners/command.hpp"

namespace {

struct LeaderboardArgs {
  std::vector<std::string> files;
  pgc::LeaderboardOptions opts;
  std::string format = "md";
  std::string out = "-";
};

pgc::RegisterCommand reg(
    "leaderboard", "Lay results files out as the paper's tables (Tables 3-8), optionally next to the paper's rows",
    [](CLI::App& sub) -> pgc::CommandRun {
      auto a = std::make_shared<LeaderboardArgs>();
      a->opts.paper_dir = std::string(PGC_DATA_DIR) + "/paper_tables";
      sub.add_option("results", a->files,
                     "results files (pgc.results/1); files with the same --name form one row "
                     "(none: --table and --with-paper print the paper's table alone)");
      sub.add_option("--table", a->opts.table,
                     "caption (Table 3) | pgc (Table 4) | t2i (Table 5) | geneval (Table 6) | vqa (Table 7) | "
                     "refseg (Table 8); default: from the first file's task");
      sub.add_flag("--with-paper", a->opts.with_paper, "append the paper's rows, marked 'paper-reported' (default: off)");
      sub.add_option("--format", a->format, "md | latex | csv | html | json (default: md)")
          ->check(CLI::IsMember({"md", "latex", "csv", "html", "json"}));
      sub.add_option("--sort", a->opts.sort, "sort rows by this metric, best first (default: input order)");
      sub.add_option("--out", a->out, "output file, - for stdout (default: -)");
      sub.add_option("--paper-dir", a->opts.paper_dir, "folder with the paper's tableN.tsv (default: " +
                                                            a->opts.paper_dir + ")");
      return [a]() {
        std::vector<pgc::ResultsFile> files;
        for (auto& f : a->files) files.push_back(pgc::load_results_file(f));
        auto board = pgc::build_leaderboard(files, a->opts);
        pgc::write_file_atomic(a->out, pgc::render_leaderboard(board, a->format));
        return 0;
      };
    });

}  // namespace

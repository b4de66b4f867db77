#pragma once
// Leaderboards laid out as the paper's tables (`pgc leaderboard`). Everything about table
// layout and number formatting lives here: the table definitions and row building in
// core/leaderboard.cpp, the md / latex / csv / html / json renderers in
// core/leaderboard_format.cpp.
//
// Values are printed in the paper's units: results files hold fractions (CIDEr 0.131,
// PQ 0.61); caption metrics are printed x100 with one decimal (CIDEr 13.1), PQ as a fraction
// with two decimals (0.61), FID with one decimal, FD-DINOv2 with none. Paper rows come from
// data/paper_tables/tableN.tsv and are printed exactly as the paper prints them.
#include <string>
#include <vector>

#include "core/results_file.hpp"

namespace pgc {

struct LeaderboardColumn {
  std::string key;           // metric key in results files ("Bleu_4")
  std::string header;        // printed header ("BLEU@4")
  std::string paper_header;  // column (or row, for a transposed table) in the paper TSV
  double scale = 1;          // file value * scale = printed value
  int decimals = 1;
  bool lower_is_better = false;
};

struct LeaderboardTable {
  std::string id;           // --table value: caption, pgc, t2i, geneval, vqa, refseg
  std::string paper_table;  // "table3" -> data/paper_tables/table3.tsv
  std::string title;
  std::vector<LeaderboardColumn> columns;
  // Paper TSV columns joined with " / " into a paper row's system label.
  std::vector<std::string> label_columns;
  // The paper prints this table with systems as columns (Table 6): its TSV is transposed.
  bool transposed = false;
};

const std::vector<LeaderboardTable>& leaderboard_tables();
// UsageError naming the valid ids if unknown.
const LeaderboardTable& find_table(const std::string& id);
// The table a results file of `task` belongs to ("" if none): caption -> caption,
// panoptic / grounded / pgc -> pgc, t2i, geneval, vqa, refseg -> themselves.
std::string default_table_for_task(const std::string& task);

struct LeaderboardCell {
  bool present = false;
  double value = 0;   // in printed units
  double file_value = 0;  // as in the results file (pgc rows only)
  std::string text;   // as printed; "-" when absent
  bool best = false;  // best of its column (direction-aware), printed bold
};

struct LeaderboardRow {
  std::string system;
  std::string source;  // results file name(s), or "paper-reported"
  bool paper = false;
  std::vector<LeaderboardCell> cells;  // one per column
  std::string flag;  // non-empty: why this row's signature differs (footnote)
  std::vector<std::pair<std::string, std::string>> signatures;  // (file name, signature), pgc rows
};

struct Leaderboard {
  const LeaderboardTable* table = nullptr;
  std::vector<LeaderboardRow> rows;
  std::vector<std::string> notes;  // printed under the table
};

struct LeaderboardOptions {
  std::string table;      // "" = from the first file's task
  bool with_paper = false;
  std::string sort;       // metric key or header; "" keeps the input order
  std::string paper_dir;  // folder of tableN.tsv
};

// The paper's rows of a table, read from paper_dir/<paper_table>.tsv (InputError if malformed).
std::vector<LeaderboardRow> load_paper_rows(const LeaderboardTable& table, const std::string& paper_dir);

// Rows from results files (files with the same name form one row, e.g. a caption and a
// panoptic file for Table 4), plus paper rows, best cells marked, flagged signatures noted.
Leaderboard build_leaderboard(const std::vector<ResultsFile>& files, const LeaderboardOptions& opts);

// "md", "latex", "csv", "html" or "json" (UsageError otherwise).
std::string render_leaderboard(const Leaderboard& board, const std::string& format);

// Formats v with `decimals` digits after the point, as printf("%.*f") does.
std::string format_fixed(double v, int decimals);

}  // namespace pgc

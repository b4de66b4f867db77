#include "core/leaderboard.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "core/error.hpp"

namespace pgc {
namespace {

// Caption metrics are printed x100 with one decimal, as the paper does (CIDEr 13.1).
LeaderboardColumn caption_column(const char* key, const char* header) {
  return {key, header, header, 100, 1, false};
}

std::vector<LeaderboardTable> make_tables() {
  std::vector<LeaderboardTable> t;
  t.push_back({"caption", "table3",
               "Table 3: captioning on the COCONut-PanCap val set (caption metrics x100)",
               {caption_column("CAPTURE", "CAPTURE"), caption_column("CIDEr", "CIDEr"),
                caption_column("Bleu_4", "BLEU@4"), caption_column("METEOR", "METEOR"),
                caption_column("ROUGE_L", "ROUGE-L")},
               {"method"},
               false});
  t.push_back({"pgc", "table4",
               "Table 4: panoptic grounded captioning on the COCONut-PanCap val set "
               "(caption metrics x100, PQ as fractions)",
               {caption_column("CAPTURE", "CAPTURE"), caption_column("CIDEr", "CIDEr"),
                caption_column("Bleu_4", "BLEU@4"), caption_column("METEOR", "METEOR"),
                {"PQ", "PQ", "PQ", 1, 2, false},
                {"PQ_th", "PQ-thing", "PQ_thing", 1, 2, false},
                {"PQ_st", "PQ-stuff", "PQ_stuff", 1, 2, false}},
               {"method"},
               false});
  t.push_back({"t2i", "table5",
               "Table 5: text-to-image generation with SD3-medium (FID and FD-DINOv2: lower is better)",
               {{"FID", "FID", "FID", 1, 1, true},
                {"FD_DINOv2", "FD-DINOv2", "FD_dinov2", 1, 0, true},
                {"CLIPScore", "CLIPScore", "CLIPScore", 1, 1, false}},
               {"training_dataset", "evaluation_dataset"},
               false});
  t.push_back({"geneval", "table6",
               "Table 6: GenEval of SD3-medium (fractions; the paper prints systems as columns)",
               {{"color_attr", "color attribution", "color attribution", 1, 2, false},
                {"colors", "colors", "colors", 1, 2, false},
                {"position", "position", "position", 1, 2, false},
                {"counting", "counting", "counting", 1, 2, false},
                {"single_object", "single object", "single object", 1, 2, false},
                {"two_object", "two objects", "two objects", 1, 2, false},
                {"overall", "overall score", "overall score", 1, 2, false}},
               {},
               true});
  t.push_back({"vqa", "table7", "Table 7: VQA benchmarks (accuracies x100, MME as a score)",
               {{"MM-Vet", "MM-Vet", "MM-Vet", 100, 1, false},
                {"Seed-IMG", "Seed-IMG", "Seed-IMG", 100, 1, false},
                {"MMBench-en", "MMBench-en", "MMBench-en", 100, 1, false},
                {"TextVQA", "TextVQA", "TextVQA", 100, 1, false},
                {"POPE", "POPE", "POPE", 100, 1, false},
                {"MME", "MME", "MME", 1, 0, false}},
               {"method", "instruction_tuning_dataset"},
               false});
  std::vector<LeaderboardColumn> refseg;
  for (const char* split : {"refCOCO_val", "refCOCO_testA", "refCOCO_testB", "refCOCO+_val",
                            "refCOCO+_testA", "refCOCO+_testB", "refCOCOg_val", "refCOCOg_test"}) {
    std::string header = split;
    header[header.find('_')] = ' ';
    refseg.push_back({split, header, split, 100, 1, false});
  }
  t.push_back({"refseg", "table8", "Table 8: referring segmentation (cIoU x100)", refseg, {"method"}, false});
  return t;
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t tab = line.find('\t', start);
    out.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) return out;
    start = tab + 1;
  }
}

struct Tsv {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  size_t column(const std::string& name, const std::string& path) const {
    auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) throw InputError(path, "header", "missing column \"" + name + "\"");
    return it - header.begin();
  }
};

Tsv read_tsv(const std::string& path) {
  std::string text = read_file(path);
  Tsv t;
  size_t start = 0, line_no = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    start = nl == std::string::npos ? text.size() : nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    auto fields = split_tabs(line);
    if (t.header.empty()) {
      t.header = fields;
    } else if (fields.size() != t.header.size()) {
      throw InputError(path, "line " + std::to_string(line_no),
                       "expected " + std::to_string(t.header.size()) + " tab-separated fields, got " +
                           std::to_string(fields.size()));
    } else {
      t.rows.push_back(fields);
    }
  }
  if (t.header.empty()) throw InputError(path, "", "empty table");
  return t;
}

LeaderboardCell paper_cell(const std::string& text, const std::string& path, const std::string& item) {
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0') throw InputError(path, item, "\"" + text + "\" is not a number");
  LeaderboardCell cell;
  cell.present = true;
  cell.value = v;
  cell.text = text;
  return cell;
}

std::string stem(const std::string& path) {
  std::string base = path.substr(path.find_last_of('/') + 1);
  if (base.size() > 5 && base.compare(base.size() - 5, 5, ".json") == 0) base.resize(base.size() - 5);
  return base;
}

std::string basename(const std::string& path) { return path.substr(path.find_last_of('/') + 1); }

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), ::tolower);
  return s;
}

// One row per system name, merging the metrics of all its files.
struct SystemRow {
  std::string name;
  std::vector<const ResultsFile*> files;
  std::map<std::string, std::pair<double, const ResultsFile*>> metrics;
};

std::vector<SystemRow> group_by_system(const std::vector<ResultsFile>& files, const LeaderboardTable& table) {
  std::vector<SystemRow> systems;
  for (auto& f : files) {
    bool has_column = false;
    for (auto& c : table.columns) has_column |= f.metrics.count(c.key) > 0;
    if (!has_column) {
      std::string keys;
      for (auto& c : table.columns) keys += (keys.empty() ? "" : ", ") + c.key;
      throw InputError(f.path, "corpus", "has none of the metrics of table " + table.id + " (" + keys + ")");
    }
    std::string name = f.name.empty() ? stem(f.path) : f.name;
    auto it = std::find_if(systems.begin(), systems.end(), [&](auto& s) { return s.name == name; });
    if (it == systems.end()) it = systems.insert(systems.end(), SystemRow{name, {}, {}});
    it->files.push_back(&f);
    for (auto& [key, v] : f.metrics) {
      auto [pos, added] = it->metrics.emplace(key, std::make_pair(v, &f));
      if (!added && pos->second.first != v)
        throw InputError(f.path, key, "system \"" + name + "\" already has a different " + key +
                                          " from " + pos->second.second->path);
    }
  }
  return systems;
}

// Flags files whose signature differs from the first file of the same task.
std::map<const ResultsFile*, std::string> signature_flags(const std::vector<ResultsFile>& files) {
  std::map<std::string, const ResultsFile*> first_of_task;
  std::map<const ResultsFile*, std::string> flags;
  for (auto& f : files) {
    auto [it, added] = first_of_task.emplace(f.task, &f);
    if (added) continue;
    auto diffs = signature_differences(it->second->signature, f.signature, true);
    if (!diffs.empty())
      flags[&f] = basename(f.path) + "'s signature differs from " + basename(it->second->path) +
                 "'s in " + describe(diffs);
  }
  return flags;
}

void mark_best(Leaderboard& board) {
  for (size_t c = 0; c < board.table->columns.size(); ++c) {
    bool lower = board.table->columns[c].lower_is_better;
    std::vector<LeaderboardCell*> present;
    for (auto& r : board.rows)
      if (r.cells[c].present) present.push_back(&r.cells[c]);
    if (present.size() < 2) continue;
    double best = present[0]->value;
    for (auto* cell : present) best = lower ? std::min(best, cell->value) : std::max(best, cell->value);
    for (auto* cell : present) cell->best = cell->value == best;
  }
}

void sort_rows(Leaderboard& board, const std::string& metric) {
  const auto& cols = board.table->columns;
  auto it = std::find_if(cols.begin(), cols.end(), [&](auto& c) {
    return lower(c.key) == lower(metric) || lower(c.header) == lower(metric);
  });
  if (it == cols.end()) {
    std::string keys;
    for (auto& c : cols) keys += " " + c.key;
    throw UsageError("--sort " + metric + ": not a column of table " + board.table->id + " (columns:" + keys + ")");
  }
  size_t c = it - cols.begin();
  bool lower_better = it->lower_is_better;
  std::stable_sort(board.rows.begin(), board.rows.end(), [&](const auto& x, const auto& y) {
    const auto &a = x.cells[c], &b = y.cells[c];
    if (a.present != b.present) return a.present;
    if (!a.present) return false;
    return lower_better ? a.value < b.value : a.value > b.value;
  });
}

}  // namespace

const std::vector<LeaderboardTable>& leaderboard_tables() {
  static const std::vector<LeaderboardTable> tables = make_tables();
  return tables;
}

const LeaderboardTable& find_table(const std::string& id) {
  std::string ids;
  for (auto& t : leaderboard_tables()) {
    if (t.id == id) return t;
    ids += (ids.empty() ? "" : "|") + t.id;
  }
  throw UsageError("--table " + id + ": unknown table (" + ids + ")");
}

std::string default_table_for_task(const std::string& task) {
  if (task == "caption") return "caption";
  if (task == "panoptic" || task == "grounded" || task == "pgc") return "pgc";
  for (const char* t : {"t2i", "geneval", "vqa", "refseg"})
    if (task == t) return t;
  return "";
}

std::string format_fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string s = buf;
  if (s[0] == '-' && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);  // no "-0.0"
  return s;
}

std::vector<LeaderboardRow> load_paper_rows(const LeaderboardTable& table, const std::string& paper_dir) {
  std::string path = paper_dir + "/" + table.paper_table + ".tsv";
  Tsv tsv = read_tsv(path);
  size_t source = tsv.column("source", path);
  std::vector<LeaderboardRow> rows;
  if (table.transposed) {
    // Rows of the TSV are metrics (column 1 names them); columns 2.. are systems.
    std::map<std::string, const std::vector<std::string>*> by_metric;
    for (auto& r : tsv.rows) by_metric[r[1]] = &r;
    for (size_t s = 2; s < tsv.header.size(); ++s) {
      if (s == source) continue;
      LeaderboardRow row;
      row.system = tsv.header[s];
      row.source = tsv.rows.empty() ? "" : tsv.rows[0][source];
      row.paper = true;
      for (auto& c : table.columns) {
        auto it = by_metric.find(c.paper_header);
        if (it == by_metric.end()) throw InputError(path, c.paper_header, "missing row");
        row.cells.push_back(paper_cell((*it->second)[s], path, c.paper_header + ", " + tsv.header[s]));
      }
      rows.push_back(row);
    }
    return rows;
  }
  std::vector<size_t> label_cols, value_cols;
  for (auto& l : table.label_columns) label_cols.push_back(tsv.column(l, path));
  for (auto& c : table.columns) value_cols.push_back(tsv.column(c.paper_header, path));
  for (size_t i = 0; i < tsv.rows.size(); ++i) {
    auto& r = tsv.rows[i];
    LeaderboardRow row;
    for (size_t l : label_cols) row.system += (row.system.empty() ? "" : " / ") + r[l];
    row.source = r[source];
    row.paper = true;
    for (size_t c = 0; c < value_cols.size(); ++c)
      row.cells.push_back(paper_cell(r[value_cols[c]], path,
                                     "row " + std::to_string(i + 1) + ", " + table.columns[c].paper_header));
    rows.push_back(row);
  }
  return rows;
}

Leaderboard build_leaderboard(const std::vector<ResultsFile>& files, const LeaderboardOptions& opts) {
  if (files.empty() && (opts.table.empty() || !opts.with_paper))
    throw UsageError("no results files given (without files: --table T --with-paper prints the paper's table)");
  std::string table_id = opts.table.empty() ? default_table_for_task(files[0].task) : opts.table;
  if (table_id.empty())
    throw UsageError(files[0].path + ": no table for task \"" + files[0].task + "\"; pass --table");
  Leaderboard board;
  board.table = &find_table(table_id);
  auto flags = signature_flags(files);
  for (auto& sys : group_by_system(files, *board.table)) {
    LeaderboardRow row;
    row.system = sys.name;
    for (auto* f : sys.files) {
      row.source += (row.source.empty() ? "" : " + ") + basename(f->path);
      row.signatures.emplace_back(basename(f->path), f->signature.str());
      auto flag = flags.find(f);
      if (flag != flags.end()) row.flag += (row.flag.empty() ? "" : "; ") + flag->second;
    }
    for (auto& c : board.table->columns) {
      auto it = sys.metrics.find(c.key);
      LeaderboardCell cell;
      if (it != sys.metrics.end()) {
        cell.present = true;
        cell.file_value = it->second.first;
        cell.text = format_fixed(it->second.first * c.scale, c.decimals);
        cell.value = std::strtod(cell.text.c_str(), nullptr);  // best is judged as printed
      } else {
        cell.text = "-";
      }
      row.cells.push_back(cell);
    }
    board.rows.push_back(row);
  }
  for (auto& r : board.rows)
    if (!r.flag.empty()) board.notes.push_back("\xE2\x80\xA0 " + r.system + ": " + r.flag + "; numbers not comparable");
  if (opts.with_paper) {
    for (auto& r : load_paper_rows(*board.table, opts.paper_dir)) board.rows.push_back(r);
    board.notes.push_back("paper-reported rows are the paper's Table " + board.table->paper_table.substr(5) +
                          " as printed, not scored by pgc; their settings are not known");
  }
  if (!opts.sort.empty()) sort_rows(board, opts.sort);
  mark_best(board);
  return board;
}

}  // namespace pgc

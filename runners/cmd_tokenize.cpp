// `pgc tokenize`: pycocoevalcap's PTBTokenizer (CoreNLP 3.4.1, -preserveLines -lowerCase, then
// punctuation removal) on a caption file, natively. All captions of the file are one
// tokenize() call, in key order, so the reference's line-shift quirk is reproduced too.
#include <set>
#include <string>
#include <vector>

#include "caption/ptb_tokenizer.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/json.hpp"
#include "runners/command.hpp"

namespace {

struct TokenizeOptions {
  std::string in, out;
  int threads = 0;
};

int run_tokenize(const TokenizeOptions& opt) {
  const pgc::JsonDoc doc = pgc::read_json_file(opt.in);
  if (!doc.IsObject())
    throw pgc::InputError(opt.in, "", "expected a JSON object {\"<id>\": [\"caption\", ...]}");

  std::vector<std::string> ids;
  std::vector<bool> single;  // the value was one string rather than a list
  std::vector<std::vector<std::string>> captions;
  std::set<std::string> seen;
  for (auto it = doc.MemberBegin(); it != doc.MemberEnd(); ++it) {
    std::string id(it->name.GetString(), it->name.GetStringLength());
    const std::string item = "id \"" + id + "\"";
    if (!seen.insert(id).second) throw pgc::InputError(opt.in, item, "duplicate id");
    std::vector<std::string> caps;
    if (it->value.IsString()) {
      caps.push_back(pgc::get_string(it->value, opt.in, item));
    } else if (it->value.IsArray()) {
      for (rapidjson::SizeType j = 0; j < it->value.Size(); ++j)
        caps.push_back(pgc::get_string(it->value[j], opt.in, item + ", caption " + std::to_string(j)));
    } else {
      throw pgc::InputError(opt.in, item, "expected a list of caption strings (or one string)");
    }
    ids.push_back(std::move(id));
    single.push_back(it->value.IsString());
    captions.push_back(std::move(caps));
  }

  const auto tokens = pgc::ptb_tokenize(captions, opt.threads);

  pgc::JsonDoc out(rapidjson::kObjectType);
  auto& a = out.GetAllocator();
  for (size_t i = 0; i < ids.size(); ++i) {
    pgc::JsonValue key(ids[i].c_str(), static_cast<rapidjson::SizeType>(ids[i].size()), a);
    pgc::JsonValue value;
    if (single[i]) {  // a lost line (see ptb_tokenizer.hpp) leaves "" here
      const std::string s = tokens[i].empty() ? std::string() : tokens[i][0];
      value.SetString(s.c_str(), static_cast<rapidjson::SizeType>(s.size()), a);
    } else {
      value.SetArray();
      for (const auto& t : tokens[i])
        value.PushBack(pgc::JsonValue(t.c_str(), static_cast<rapidjson::SizeType>(t.size()), a), a);
    }
    out.AddMember(key, value, a);
  }
  pgc::write_file_atomic(opt.out, pgc::to_json(out) + "\n");
  return pgc::kExitOk;
}

const pgc::RegisterCommand kRegister(
    "tokenize",
    "Tokenize captions like pycocoevalcap's PTBTokenizer (Stanford PTBTokenizer 3.4.1 "
    "-preserveLines -lowerCase, then punctuation removal), natively",
    [](CLI::App& sub) -> pgc::CommandRun {
      auto opt = std::make_shared<TokenizeOptions>();
      sub.add_option("--in", opt->in,
                     "captions JSON: {\"<id>\": [\"caption\", ...]} or {\"<id>\": \"caption\"}; all "
                     "captions form one tokenize() call in key order")
          ->required();
      sub.add_option("--out", opt->out,
                     "output JSON of the same shape with token strings ('-' = stdout); written "
                     "only when everything succeeded")
          ->required();
      sub.add_option("--threads", opt->threads, "threads for long inputs (0 = all cores)")
          ->capture_default_str();
      return [opt]() { return run_tokenize(*opt); };
    });

}  // namespace

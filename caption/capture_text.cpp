#include "caption/capture_text.hpp"

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <unordered_map>

#include "caption/capture_io.hpp"
#include "core/error.hpp"
#include "core/thread_pool.hpp"

namespace pgc {

namespace {

std::string dq(const std::string& s) { return "\"" + s + "\""; }

std::string string_of(const JsonValue& v, const std::string& file, const std::string& item) {
  if (!v.IsString()) throw InputError(file, item, "expected a string");
  return std::string(v.GetString(), v.GetStringLength());
}

CaptionGraphs parse_caption_graphs(const JsonValue& v, const std::string& file, const std::string& item) {
  if (!v.IsObject() || !v.HasMember("text") || !v.HasMember("graphs") || v.MemberCount() != 2)
    throw InputError(file, item,
                     "expected {\"text\": \"<caption>\", \"graphs\": [\"<parser output per sentence>\", ...]}");
  CaptionGraphs g;
  g.text = string_of(v["text"], file, item + ": text");
  const JsonValue& graphs = v["graphs"];
  if (!graphs.IsArray()) throw InputError(file, item + ": graphs", "expected an array of strings (one per sentence)");
  for (rapidjson::SizeType k = 0; k < graphs.Size(); ++k)
    g.graphs.push_back(string_of(graphs[k], file, item + ": graphs[" + std::to_string(k) + "]"));
  return g;
}

void check_unique_keys(const JsonValue& obj, const std::string& file) {
  std::unordered_set<std::string> seen;
  for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it) {
    std::string key(it->name.GetString(), it->name.GetStringLength());
    if (!seen.insert(key).second) throw InputError(file, "image " + dq(key), "duplicate key");
  }
}

}  // namespace

std::vector<std::string> nltk_data_search_path(const std::string& flag) {
  std::vector<std::string> dirs;
  if (!flag.empty()) dirs.push_back(flag);
  if (const char* env = std::getenv(kNltkDataEnv); env && *env) dirs.push_back(env);
  if (const char* env = std::getenv("NLTK_DATA"); env && *env) {
    std::string list = env;
    size_t start = 0;
    for (;;) {
      size_t colon = list.find(':', start);
      std::string d = list.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
      if (!d.empty()) dirs.push_back(d);
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
  }
  if (const char* home = std::getenv("HOME"); home && *home) dirs.push_back(std::string(home) + "/nltk_data");
  for (const char* d : {"/usr/share/nltk_data", "/usr/local/share/nltk_data", "/usr/lib/nltk_data", "/usr/local/lib/nltk_data"})
    dirs.push_back(d);
  return dirs;
}

std::string find_nltk_resource(const std::string& flag, const std::string& relative) {
  std::vector<std::string> dirs = nltk_data_search_path(flag);
  std::error_code ec;
  for (const auto& d : dirs)
    if (std::filesystem::exists(d + "/" + relative, ec)) return d + "/" + relative;
  std::string searched;
  for (const auto& d : dirs) searched += (searched.empty() ? "" : ", ") + d;
  const bool tagger = relative.rfind("taggers/", 0) == 0;
  throw InputError(relative, "",
                   std::string("NLTK resource not found (searched: ") + searched + "); get it with `python -m nltk.downloader " +
                       (tagger ? "averaged_perceptron_tagger_eng" : "punkt_tab") +
                       "` (NLTK >= 3.9) and pass --nltk-data DIR or set PGC_NLTK_DATA to that nltk_data folder");
}

CaptureTextPipeline::CaptureTextPipeline(const WordNet& wordnet, PunktSentenceTokenizer punkt, PerceptronTagger tagger)
    : wordnet_(wordnet), punkt_(std::move(punkt)), tagger_(std::move(tagger)) {
  const auto& list = capture_stop_word_list();
  stop_words_.insert(list.begin(), list.end());
}

std::unique_ptr<CaptureTextPipeline> CaptureTextPipeline::load(const std::string& flag, const WordNet& wordnet) {
  const std::string punkt_dir = find_nltk_resource(flag, kPunktEnglishDir);
  // The tagger's three files share one prefix; look for the weights file.
  const std::string weights = find_nltk_resource(flag, std::string(kTaggerPrefix) + ".weights.json");
  const std::string prefix = weights.substr(0, weights.size() - std::string(".weights.json").size());
  return std::make_unique<CaptureTextPipeline>(wordnet, PunktSentenceTokenizer(load_punkt_tab(punkt_dir)),
                                               PerceptronTagger::load(prefix));
}

std::vector<std::string> CaptureTextPipeline::sentences(const std::string& text) const { return punkt_.tokenize(text); }

std::vector<std::string> CaptureTextPipeline::word_tokenize(const std::string& text) const {
  std::vector<std::string> tokens;
  for (const auto& s : punkt_.tokenize(text))
    for (auto& t : treebank_.tokenize(s)) tokens.push_back(std::move(t));
  return tokens;
}

std::unordered_set<std::string> CaptureTextPipeline::nouns(const std::string& text) const {
  std::vector<std::string> tokens = word_tokenize(text);
  std::vector<std::string> tags = tagger_.tag(tokens);
  std::unordered_set<std::string> out;
  for (size_t i = 0; i < tokens.size(); ++i)
    if (tags[i].rfind("NN", 0) == 0) out.insert(wordnet_.lemmatize(tokens[i], WordNet::kNoun));
  return out;
}

CaptureElements CaptureTextPipeline::elements(const std::string& text, const std::vector<std::string>& sentence_graphs,
                                              bool stop_words) const {
  std::vector<SceneGraph> graphs;
  graphs.reserve(sentence_graphs.size());
  for (const auto& g : sentence_graphs) graphs.push_back(graph_string_to_object(normalize_graph_string(g)));
  CaptureElements merged = merge_sentence_graphs(graphs, wordnet_);
  return filter_capture_elements(merged, nouns(text), stop_words ? &stop_words_ : nullptr);
}

std::string CaptureTextPipeline::id() const { return punkt_.params().id + "," + tagger_.id(); }

std::vector<std::string> parse_caption_sentences(SceneGraphParser& parser, const std::vector<std::string>& sentences,
                                                 size_t batch) {
  std::vector<std::string> out;
  out.reserve(sentences.size());
  for (size_t i = 0; i < sentences.size(); i += batch) {
    std::vector<std::string> chunk(sentences.begin() + i, sentences.begin() + std::min(sentences.size(), i + batch));
    std::vector<std::string> graphs = parser.parse(chunk);
    if (graphs.size() != chunk.size())
      throw std::runtime_error("scene-graph parser " + parser.name() + " returned " + std::to_string(graphs.size()) +
                               " graphs for " + std::to_string(chunk.size()) + " sentences");
    for (auto& g : graphs) out.push_back(std::move(g));
  }
  return out;
}

std::vector<CaptureGraphImage> parse_capture_graph_images(const JsonValue& refs, const std::string& refs_file,
                                                          const JsonValue& preds, const std::string& preds_file) {
  if (!refs.IsObject()) throw InputError(refs_file, "", "expected {\"<image id>\": [CAPTION_GRAPHS, ...]}");
  if (!preds.IsObject()) throw InputError(preds_file, "", "expected {\"<image id>\": CAPTION_GRAPHS}");
  check_unique_keys(refs, refs_file);
  check_unique_keys(preds, preds_file);
  if (refs.MemberCount() == 0) throw InputError(refs_file, "", "no images");
  std::vector<CaptureGraphImage> images;
  for (auto it = refs.MemberBegin(); it != refs.MemberEnd(); ++it) {
    CaptureGraphImage img;
    img.id.assign(it->name.GetString(), it->name.GetStringLength());
    const std::string item = "image " + dq(img.id);
    if (!it->value.IsArray() || it->value.Empty())
      throw InputError(refs_file, item, "expected a non-empty array of reference CAPTION_GRAPHS");
    for (rapidjson::SizeType k = 0; k < it->value.Size(); ++k)
      img.refs.push_back(parse_caption_graphs(it->value[k], refs_file, item + " reference " + std::to_string(k)));
    auto p = preds.FindMember(it->name);
    if (p == preds.MemberEnd())
      throw InputError(preds_file, item, "no candidate for this image (it is in " + refs_file + ")");
    img.pred = parse_caption_graphs(p->value, preds_file, item);
    images.push_back(std::move(img));
  }
  for (auto it = preds.MemberBegin(); it != preds.MemberEnd(); ++it)
    if (!refs.HasMember(it->name))
      throw InputError(preds_file, "image " + dq(std::string(it->name.GetString(), it->name.GetStringLength())),
                       "candidate for an image that has no references in " + refs_file);
  return images;
}

std::vector<CaptureGraphImage> read_capture_graph_images(const std::string& refs_path, const std::string& preds_path) {
  JsonDoc refs = read_json_file(refs_path);
  JsonDoc preds = read_json_file(preds_path);
  return parse_capture_graph_images(refs, refs_path, preds, preds_path);
}

std::vector<CaptureImage> extract_capture_images(const std::vector<CaptureGraphImage>& images,
                                                 const CaptureTextPipeline& pipeline, int threads, bool stop_words) {
  std::vector<CaptureImage> out(images.size());
  parallel_for(images.size(), threads, [&](size_t i, int) {
    const CaptureGraphImage& img = images[i];
    out[i].id = img.id;
    for (const auto& r : img.refs) out[i].refs.push_back(pipeline.elements(r.text, r.graphs, stop_words));
    out[i].pred = pipeline.elements(img.pred.text, img.pred.graphs, stop_words);
  });
  return out;
}

std::vector<CaptureGraphImage> parse_capture_captions(const std::vector<std::string>& ids,
                                                      const std::vector<std::vector<std::string>>& refs,
                                                      const std::vector<std::string>& preds,
                                                      const CaptureTextPipeline& pipeline, SceneGraphParser& parser,
                                                      const std::function<void()>& on_caption) {
  auto parse_one = [&](const std::string& text) {
    CaptionGraphs g;
    g.text = text;
    g.graphs = parse_caption_sentences(parser, pipeline.sentences(text));
    if (on_caption) on_caption();
    return g;
  };
  std::vector<CaptureGraphImage> images(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    images[i].id = ids[i];
    for (const auto& r : refs[i]) images[i].refs.push_back(parse_one(r));
    images[i].pred = parse_one(preds[i]);
  }
  return images;
}

std::string capture_parse_dump(const std::vector<CaptureImage>& images) {
  JsonDoc doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  JsonValue refs(rapidjson::kObjectType), preds(rapidjson::kObjectType);
  for (const auto& img : images) {
    JsonValue list(rapidjson::kArrayType);
    for (const auto& r : img.refs) list.PushBack(capture_elements_to_json(r, a), a);
    refs.AddMember(JsonValue(img.id.c_str(), static_cast<rapidjson::SizeType>(img.id.size()), a), list, a);
    preds.AddMember(JsonValue(img.id.c_str(), static_cast<rapidjson::SizeType>(img.id.size()), a),
                    capture_elements_to_json(img.pred, a), a);
  }
  doc.AddMember("refs", refs, a);
  doc.AddMember("preds", preds, a);
  return to_json(doc) + "\n";
}

}  // namespace pgc

#pragma once
// Finds and loads METEOR 1.5's English data for metrics/meteor.hpp:
//  * `--meteor-data DIR`: english.words, english.synsets, english.exceptions (each either in DIR
//    or in METEOR's own layout DIR/function, DIR/synonym), optional english.prefixes (or
//    DIR/nonbreaking/english.prefixes; else METEOR's English list built in), optional
//    paraphrase-en.gz (DIR or DIR/data).
//  * no DIR: pycocoevalcap's installed meteor-1.5.jar (PGC_METEOR_JAR, then the usual Python
//    site-packages folders), read as a zip: function/english.words, synonym/english.synsets,
//    synonym/english.exceptions, nonbreaking/english.prefixes; its paraphrase table lives
//    next to it in data/paraphrase-en.gz, as METEOR itself looks for it.
// Every problem is a pgc::InputError naming the file and saying how to fix it.
#include <memory>
#include <string>
#include <vector>

#include "metrics/meteor.hpp"

namespace pgc {

// `data_dir`: "" = find pycocoevalcap's meteor-1.5.jar. `paraphrase`: "" = the default table if
// present (without it the scorer runs exact+stem+synonym and `warning` says so), "none" = no
// paraphrase module, otherwise a gzip'd METEOR paraphrase file.
MeteorResources load_meteor_resources(const std::string& data_dir, const std::string& paraphrase);

// Same, from an explicit jar (the paraphrase default is <jar dir>/data/paraphrase-en.gz).
MeteorResources load_meteor_resources_from_jar(const std::string& jar_path,
                                               const std::string& paraphrase);

// Path of pycocoevalcap's meteor-1.5.jar: $PGC_METEOR_JAR, else the first match of
// meteor_jar_search_patterns(); "" when there is none.
std::string find_meteor_jar();
// glob patterns searched, in order ($VIRTUAL_ENV, $CONDA_PREFIX, ~/.local, pyenv, /usr/local, /usr, /opt/conda)
std::vector<std::string> meteor_jar_search_patterns();

// Snowball English (Porter2) via libstemmer, identical to METEOR's bundled Java englishStemmer
// on every WordNet word form; one stemmer per thread, so stem() is thread-safe.
std::shared_ptr<const MeteorStemmer> snowball_english_stemmer();

// Reads a gzip'd (or concatenated-gzip) file's bytes; InputError naming `origin` on bad data.
std::string gunzip(const std::string& bytes, const std::string& origin);

}  // namespace pgc

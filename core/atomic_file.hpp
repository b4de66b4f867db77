#pragma once
// Outputs are written to a temp file in the same folder and renamed when complete,
// so a failed run never leaves a partial file behind.
#include <string>

namespace pgc {

// Writes `content` to `path` atomically; "-" writes to stdout.
void write_file_atomic(const std::string& path, const std::string& content);

}  // namespace pgc

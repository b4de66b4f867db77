#pragma once
// SHA-256 of files (results record what they scored) and of data (signatures name data files).
#include <string>

namespace pgc {

std::string sha256_file(const std::string& path);     // hex; InputError if unreadable
std::string sha256_bytes(const std::string& bytes);   // hex

}  // namespace pgc

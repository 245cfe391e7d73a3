#pragma once
// Helpers shared by the SIP tests: reading the torture files as bytes.

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace siphost::sip::test {

inline std::filesystem::path data_dir() {
    return std::filesystem::path(SIPHOST_SOURCE_DIR) / "tests" / "data";
}

/// The file's bytes exactly (binary mode); empty when it cannot be read.
inline std::string read_bytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

} // namespace siphost::sip::test

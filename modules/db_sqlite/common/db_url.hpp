#pragma once
// The parts of a database URL as Kamailio writes them: scheme://[user[:password]@]host[:port]/database, and
// sqlite:///rel/file.db and sqlite:////abs/file.db (an empty host; the file is the path after the third
// slash, as Kamailio reads it).
#include <cstdint>
#include <string>
#include <string_view>

namespace siphost::modules::db {

/// A parsed database URL.
struct db_url {
    std::string scheme;   ///< lower case: "mysql", "postgres", "sqlite"
    std::string user;     ///< may be empty
    std::string password; ///< may be empty
    std::string host;     ///< may be empty (sqlite); an IPv6 address without brackets
    uint16_t port = 0;    ///< 0: the engine's default
    std::string database; ///< the database name, or the file path for sqlite
};

/// Parses text into out. Returns false with a reason (without the password) in error.
bool parse_db_url(std::string_view text, db_url& out, std::string& error);

} // namespace siphost::modules::db

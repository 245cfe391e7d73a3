#include "db_url.hpp"
#include <charconv>

namespace siphost::modules::db {

bool parse_db_url(std::string_view text, db_url& out, std::string& error) {
    out = db_url{};
    size_t sep = text.find("://");
    if (sep == std::string_view::npos || sep == 0) {
        error = "a database URL needs the form scheme://user:password@host:port/database";
        return false;
    }
    for (char c : text.substr(0, sep))
        out.scheme.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
    if (out.scheme == "postgresql")
        out.scheme = "postgres";
    std::string_view rest = text.substr(sep + 3);
    // The credentials end at the last '@' before the path, so that a password may hold '@' or '/'.
    // A file path (sqlite:///path) has no credentials, so an '@' in it is part of the name.
    size_t at = !rest.empty() && rest.front() == '/' ? std::string_view::npos : rest.rfind('@');
    std::string_view address = rest;
    if (at != std::string_view::npos) {
        std::string_view credentials = rest.substr(0, at);
        address = rest.substr(at + 1);
        size_t colon = credentials.find(':');
        out.user = credentials.substr(0, colon);
        if (colon != std::string_view::npos)
            out.password = credentials.substr(colon + 1);
    }
    size_t slash = address.find('/');
    if (slash == std::string_view::npos) {
        error = "the database URL names no database (\"/database\" after the host)";
        return false;
    }
    std::string_view hostport = address.substr(0, slash);
    std::string_view database = address.substr(slash + 1);
    if (!hostport.empty() && hostport.front() == '[') {
        size_t close = hostport.find(']');
        if (close == std::string_view::npos) {
            error = "the database URL has an unclosed '[' in its host";
            return false;
        }
        out.host = hostport.substr(1, close - 1);
        hostport.remove_prefix(close + 1);
        if (!hostport.empty() && hostport.front() != ':') {
            error = "the database URL has text after its IPv6 host";
            return false;
        }
    } else {
        size_t colon = hostport.find(':');
        out.host = hostport.substr(0, colon);
        hostport = colon == std::string_view::npos ? std::string_view{} : hostport.substr(colon);
    }
    if (!hostport.empty()) {
        std::string_view digits = hostport.substr(1);
        unsigned value = 0;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
        if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || value == 0 ||
            value > 65535) {
            error = "the database URL has a bad port \"" + std::string(digits) + "\"";
            return false;
        }
        out.port = static_cast<uint16_t>(value);
    }
    if (out.scheme == "sqlite") {
        // As Kamailio 5.6's db_sqlite: the file is everything after the third slash, so sqlite:///a/b.db is
        // the relative path a/b.db (from the working directory) and an absolute path takes four slashes.
        if (!out.host.empty() || at != std::string_view::npos || database.empty()) {
            error = "an sqlite URL has the form sqlite:///relative/file.db or sqlite:////absolute/file.db";
            return false;
        }
        out.database = database;
        return true;
    }
    if (out.host.empty() || database.empty()) {
        error = "the database URL needs a host and a database: " + out.scheme + "://user:password@host/db";
        return false;
    }
    out.database = database;
    return true;
}

} // namespace siphost::modules::db

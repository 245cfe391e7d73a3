#include "tls_config.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace siphost::tls {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return s;
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool parse_bool(std::string_view value, bool& out) {
    std::string v = lower(value);
    if (v == "yes" || v == "on" || v == "true" || v == "1" || v == "enable") {
        out = true;
        return true;
    }
    if (v == "no" || v == "off" || v == "false" || v == "0" || v == "disable") {
        out = false;
        return true;
    }
    return false;
}

/// "IP:PORT", "[v6]:PORT" or "default" into the profile; false with a reason.
bool parse_address(std::string_view text, tls_profile& profile, std::string& error) {
    profile.address = std::string(text);
    if (lower(text) == "default") {
        profile.address = "default";
        return true;
    }
    std::string_view host;
    std::string_view port;
    if (!text.empty() && text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
            error = "bad address '" + std::string(text) + "' (write [IPv6]:PORT)";
            return false;
        }
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        auto colon = text.rfind(':');
        if (colon == std::string_view::npos || text.find(':') != colon) {
            error = "bad address '" + std::string(text) + "' (write default, IP:PORT or [IPv6]:PORT)";
            return false;
        }
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    unsigned value = 0;
    bool digits = !port.empty() && port.size() <= 5;
    for (char c : port) {
        if (c < '0' || c > '9') {
            digits = false;
            break;
        }
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (host.empty() || !digits || value == 0 || value > 65535) {
        error = "bad address '" + std::string(text) + "' (write default, IP:PORT or [IPv6]:PORT)";
        return false;
    }
    profile.ip = std::string(host);
    profile.port = value;
    return true;
}

} // namespace

bool tls_config::valid_method(std::string_view method) {
    static const char* const names[] = {"SSLv23",  "TLSv1",    "TLSv1+",  "TLSv1.1", "TLSv1.1+",
                                        "TLSv1.2", "TLSv1.2+", "TLSv1.3", "TLSv1.3+"};
    return std::any_of(std::begin(names), std::end(names), [method](const char* n) { return method == n; });
}

bool tls_config::apply(tls_profile& profile, std::string_view key, std::string_view value,
                       std::string& error) {
    std::string name = lower(key);
    if (name == "method" || name == "tls_method") {
        if (!valid_method(value)) {
            error = "unknown method '" + std::string(value) +
                    "' (SSLv23, TLSv1, TLSv1.1, TLSv1.2, TLSv1.3, each also with '+')";
            return false;
        }
        profile.method = std::string(value);
    } else if (name == "certificate") {
        profile.certificate = std::string(value);
    } else if (name == "private_key") {
        profile.private_key = std::string(value);
    } else if (name == "ca_list") {
        profile.ca_list = std::string(value);
    } else if (name == "crl") {
        profile.crl = std::string(value);
    } else if (name == "cipher_list") {
        profile.cipher_list = std::string(value);
    } else if (name == "server_name") {
        profile.server_name = std::string(value);
    } else if (name == "verify_certificate" || name == "require_certificate") {
        bool flag = false;
        if (!parse_bool(value, flag)) {
            error = name + " needs yes or no, not '" + std::string(value) + "'";
            return false;
        }
        (name == "verify_certificate" ? profile.verify_certificate : profile.require_certificate) = flag;
    } else if (name == "verify_depth") {
        int depth = 0;
        bool ok = !value.empty() && value.size() <= 3;
        for (char c : value) {
            ok = ok && c >= '0' && c <= '9';
            depth = depth * 10 + (c - '0');
        }
        if (!ok) {
            error = "verify_depth needs a number, not '" + std::string(value) + "'";
            return false;
        }
        profile.verify_depth = depth;
    } else {
        error = "unknown key '" + std::string(key) + "'";
        return false;
    }
    return true;
}

std::vector<tls_profile> tls_config::parse(std::string_view text, const tls_profile& server_default,
                                           const tls_profile& client_default, const std::string& name) {
    std::vector<tls_profile> profiles;
    int line_no = 0;
    auto fail = [&](const std::string& reason) {
        throw std::runtime_error(name + ":" + std::to_string(line_no) + ": " + reason);
    };
    while (!text.empty()) {
        ++line_no;
        auto eol = text.find('\n');
        std::string_view line = text.substr(0, eol);
        text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
        if (auto hash = line.find('#'); hash != std::string_view::npos)
            line = line.substr(0, hash);
        line = trim(line);
        if (line.empty())
            continue;
        if (line.front() == '[') {
            if (line.back() != ']')
                fail("a section header ends with ']'");
            std::string_view inside = trim(line.substr(1, line.size() - 2));
            auto colon = inside.find(':');
            std::string role = lower(trim(inside.substr(0, colon)));
            if (colon == std::string_view::npos || (role != "server" && role != "client"))
                fail("a section is [server:ADDRESS] or [client:ADDRESS], not [" + std::string(inside) + "]");
            tls_profile profile;
            std::string_view address = trim(inside.substr(colon + 1));
            if (lower(address) == "default")
                profile = role == "server" ? server_default : client_default;
            profile.server = role == "server";
            profile.line = line_no;
            std::string error;
            if (!parse_address(address, profile, error))
                fail(error);
            profiles.push_back(std::move(profile));
            continue;
        }
        auto equals = line.find('=');
        if (equals == std::string_view::npos)
            fail("expected 'key = value' or a [section], not '" + std::string(line) + "'");
        if (profiles.empty())
            fail("'" + std::string(trim(line.substr(0, equals))) +
                 "' comes before any [server:...] or [client:...]");
        std::string_view key = trim(line.substr(0, equals));
        std::string_view value = trim(line.substr(equals + 1));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
            value = value.substr(1, value.size() - 2);
        std::string error;
        if (!apply(profiles.back(), key, value, error))
            fail(error);
    }
    // Two sections for the same role, address and server name would make the choice arbitrary.
    for (size_t i = 0; i < profiles.size(); ++i)
        for (size_t j = i + 1; j < profiles.size(); ++j)
            if (profiles[i].server == profiles[j].server && profiles[i].ip == profiles[j].ip &&
                profiles[i].port == profiles[j].port &&
                lower(profiles[i].server_name) == lower(profiles[j].server_name)) {
                line_no = profiles[j].line;
                fail(profiles[j].label() + " repeats the section of line " +
                     std::to_string(profiles[i].line));
            }
    return profiles;
}

std::vector<tls_profile> tls_config::load(const std::string& path, const tls_profile& server_default,
                                          const tls_profile& client_default) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read the tls config file " + path);
    std::ostringstream text;
    text << in.rdbuf();
    return parse(text.str(), server_default, client_default, path);
}

} // namespace siphost::tls

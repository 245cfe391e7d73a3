#pragma once
// A SIP, SIPS or tel URI, or any other scheme kept opaque (RFC 3261 19.1, RFC 3966). Zero copy: the uri
// refers to the text it was parsed from.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace siphost::sip {

enum class uri_scheme : uint8_t { sip, sips, tel, other };
enum class host_type : uint8_t { none, name, ipv4, ipv6 };

class uri {
public:
    /// Parses text (no surrounding LWS or angle brackets). Returns false when it breaks the grammar; the
    /// object is then left empty.
    bool parse(std::string_view text);

    std::string_view text() const { return text_; }
    uri_scheme scheme() const { return scheme_; }
    /// The scheme as written ("SIP", "tel", "soap.beep").
    std::string_view scheme_text() const { return scheme_text_; }
    /// Everything after "scheme:"; for sip and sips too.
    std::string_view opaque() const { return opaque_; }

    /// User part as written (escaped); empty when there is none. For tel: the telephone number.
    std::string_view user() const { return user_; }
    bool has_user() const { return has_user_; }
    std::string_view password() const { return password_; }
    bool has_password() const { return has_password_; }
    /// Host as written, IPv6 references with their brackets; empty for tel and other schemes.
    std::string_view host() const { return host_; }
    /// Host without the brackets of an IPv6 reference.
    std::string_view host_address() const;
    host_type host_kind() const { return host_kind_; }
    /// Port, or 0 when not written.
    uint16_t port() const { return port_; }
    bool has_port() const { return has_port_; }
    /// Parameters as written, starting with ';'; empty when there are none.
    std::string_view params() const { return params_; }
    /// Headers as written, after the '?'; empty when there are none.
    std::string_view headers() const { return headers_; }

    /// The raw value of parameter name (compared unescaped, any case): empty for a parameter without a
    /// value, nullopt when absent.
    std::optional<std::string_view> param(std::string_view name) const;

private:
    std::string_view text_, scheme_text_, opaque_, user_, password_, host_, params_, headers_;
    uri_scheme scheme_ = uri_scheme::other;
    host_type host_kind_ = host_type::none;
    uint16_t port_ = 0;
    bool has_user_ = false, has_password_ = false, has_port_ = false;
};

/// The parts of a URI to replace when rebuilding it ($rU = "x", $rd = "h", $rp = 5080); a nullopt part stays.
struct uri_replacement {
    std::optional<std::string_view> user; ///< empty removes "user[:password]@"
    std::optional<std::string_view> host;
    std::optional<std::string_view> port; ///< digits; empty removes ":port"
};

/// A sip, sips or tel URI rebuilt with some parts replaced; parameters and headers are kept as written.
std::string rebuild_uri(const uri& u, const uri_replacement& replace);

/// URI equivalence per RFC 3261 19.1.4 (sip/sips), RFC 3966 (tel, visual separators ignored) and an exact
/// comparison with a case-insensitive scheme for other schemes.
bool uri_equal(const uri& a, const uri& b);

/// Parses host [":" port] of a URI or a Via sent-by. Returns false on a syntax error. host keeps the brackets
/// of an IPv6 reference.
bool parse_hostport(std::string_view text, std::string_view& host, host_type& kind, uint16_t& port,
                    bool& has_port);

/// Scans a host at s[pos] (a name, IPv4, or a bracketed IPv6 reference) up to the first character that
/// cannot be part of it. Returns the end position and sets kind (host_type::none when it is not valid).
std::size_t scan_host(std::string_view s, std::size_t pos, host_type& kind);

/// Classifies a host (IPv6 with or without brackets, IPv4, name). host_type::none when it is not a valid
/// host.
host_type classify_host(std::string_view host);

} // namespace siphost::sip

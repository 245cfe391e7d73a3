#pragma once
// What the auth tests send: requests with digest credentials as a UA computes them.

#include "digest.hpp"

#include <string>
#include <string_view>

namespace siphost::modules::auth {

/// What a UA puts into its credentials; response is computed unless given.
struct ua_credentials {
    std::string header = "Authorization";
    std::string user = "alice";
    std::string realm = "example.com";
    std::string nonce;
    std::string uri = "sip:example.com";
    std::string method = "REGISTER";
    digest_algorithm algorithm = digest_algorithm::md5;
    std::string algorithm_text = "MD5";
    std::string qop = "auth";
    std::string nc = "00000001";
    std::string cnonce = "0a4f113b";
    std::string password = "wonderland";
    std::string body;
    std::string response; ///< set: sent as it is

    std::string line() const {
        std::string ha1 = compute_ha1(algorithm, user, realm, password);
        // string_views of the members themselves: a conditional between "" and a std::string would make a temporary.
        std::string_view no_value;
        digest_input in{method, uri, nonce, qop.empty() ? no_value : std::string_view(nc),
                        qop.empty() ? no_value : std::string_view(cnonce), qop, body};
        std::string r = response.empty() ? compute_response(algorithm, ha1, in) : response;
        std::string out = header + ": Digest username=\"" + user + "\", realm=\"" + realm + "\", nonce=\"" +
                          nonce + "\", uri=\"" + uri + "\", response=\"" + r + "\"";
        if (!algorithm_text.empty())
            out += ", algorithm=" + algorithm_text;
        if (!qop.empty())
            out += ", qop=" + qop + ", nc=" + nc + ", cnonce=\"" + cnonce + "\"";
        return out + "\r\n";
    }
};

/// A request from from_user@domain (to itself for REGISTER, else to bob@domain) with extra header lines.
inline std::string request(std::string_view method, std::string_view extra, std::string_view body = {},
                           std::string_view from_user = "alice", std::string_view domain = "example.com") {
    std::string m(method);
    std::string d(domain);
    std::string to_user = method == "REGISTER" ? std::string(from_user) : "bob";
    std::string text = m + " sip:" + (method == "REGISTER" ? "" : "bob@") + d + " SIP/2.0\r\n";
    text += "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-auth\r\n";
    text += "From: <sip:" + std::string(from_user) + "@" + d + ">;tag=1\r\n";
    text += "To: <sip:" + to_user + "@" + d + ">\r\n";
    text += "Call-ID: auth-test\r\nCSeq: 2 " + m + "\r\n";
    text += extra;
    text += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    text += body;
    return text;
}

} // namespace siphost::modules::auth

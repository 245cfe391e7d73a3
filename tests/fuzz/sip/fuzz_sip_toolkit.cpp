// The parsers the ABI's SIP toolkit hands to modules, on untrusted header values: Contact lists (a registrar
// reads them from every REGISTER) and digest credentials (auth reads them from every Authorization). What they
// return must point into the input, and a parsed contact's URI must parse again as a name-addr's URI did.
#include "sip/contact.hpp"
#include "sip/credentials.hpp"
#include "sip/uri.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace {

bool inside(std::string_view part, std::string_view whole) {
    return part.empty() || (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);

    std::vector<siphost::sip::contact> contacts;
    if (siphost::sip::parse_contacts(text, contacts) == siphost::sip::contact_list_kind::list) {
        for (const auto& c : contacts) {
            if (!inside(c.address.uri_text, text) || !inside(c.instance, text))
                std::abort();
            if (c.q < -1 || c.q > 1000 || c.expires < -1)
                std::abort();
            siphost::sip::uri again;
            if (c.address.uri.scheme() != siphost::sip::uri_scheme::other && !again.parse(c.address.uri_text))
                std::abort();
        }
    }

    siphost::sip::digest_credentials credentials;
    if (siphost::sip::parse_digest_credentials(text, credentials)) {
        for (std::string_view part : {credentials.scheme, credentials.username, credentials.realm, credentials.nonce,
                                      credentials.uri, credentials.response, credentials.algorithm,
                                      credentials.cnonce, credentials.opaque, credentials.qop, credentials.nc})
            if (!inside(part, text))
                std::abort();
    }

    siphost::sip::uri uri;
    if (uri.parse(text)) {
        siphost::sip::uri_replacement replace;
        replace.user = "u";
        siphost::sip::rebuild_uri(uri, replace);
    }
    return 0;
}

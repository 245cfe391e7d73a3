// libFuzzer target: the URI parser, its accessors, unescaping and RFC 3261 comparison on any bytes.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sip/escape.hpp"
#include "sip/uri.hpp"

using namespace siphost::sip;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    uri u;
    if (!u.parse(text)) {
        if (!u.text().empty())
            std::abort(); // a refused URI leaves the object empty
        return 0;
    }
    // Every part is a view into the text.
    for (std::string_view part :
         {u.scheme_text(), u.user(), u.password(), u.host(), u.params(), u.headers()}) {
        if (!part.empty() &&
            (part.data() < text.data() || part.data() + part.size() > text.data() + text.size()))
            std::abort();
    }
    volatile std::size_t sink = unescape(u.user()).size() + u.host_address().size() + u.port();
    sink = sink + u.param("transport").value_or("").size() + u.param("lr").has_value();
    // Equivalence is reflexive, and symmetric against a fixed URI.
    if (!uri_equal(u, u))
        std::abort();
    static const std::string other_text = "sip:alice@atlanta.com;transport=tcp";
    uri other;
    other.parse(other_text);
    if (uri_equal(u, other) != uri_equal(other, u))
        std::abort();
    // Splitting the URI in two and parsing the halves must not crash either.
    uri half;
    half.parse(text.substr(0, size / 2));
    (void)sink;
    return 0;
}

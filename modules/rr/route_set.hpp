#pragma once
// The Route header values of a received request, with where each one sits, so that loose_route() can remove
// single values: a value alone on its line goes with its line (msg_remove_header), a value that shares a line
// with others is cut out of the received bytes (msg_replace), comma included.

#include <siphost/module.h>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace siphost::modules::rr {

/// One Route value ("<sip:p1.example.com;lr>").
struct route_value {
    std::string_view text; ///< the whole value, trimmed
    std::string_view uri;  ///< the URI inside <>
    uint32_t line = 0;     ///< which Route line it is on (0 = the first Route line)
    size_t offset = 0;     ///< where text starts in msg_raw
};

class route_set {
public:
    /// Reads the Route values of msg in order. False when a Route value is malformed or does not point into
    /// the received bytes.
    bool load(const siphost_host_api* host, const siphost_msg* msg);

    const std::vector<route_value>& values() const { return values_; }

    /// Records the removal of the values whose flag is set (removed.size() == values().size()).
    /// Returns false when the host refused a change.
    bool remove(siphost_msg* msg, const std::vector<bool>& removed) const;

private:
    const siphost_host_api* host_ = nullptr;
    std::vector<route_value> values_;
    uint32_t line_count_ = 0;
};

} // namespace siphost::modules::rr

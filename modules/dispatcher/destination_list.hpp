// The destination sets of dispatcher: what a list file holds, parsed and checked before it replaces the sets
// in use (so that a bad reload keeps the old ones).
#pragma once

#include <siphost/module.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace siphost::modules::dispatcher {

/// Kamailio's destination state flags (dispatcher.list prints them as "AP", "IP", "DX", ...).
enum state_flags : uint32_t {
    ds_inactive = 1u << 0,
    ds_trying = 1u << 1,
    ds_disabled = 1u << 2,
    ds_probing = 1u << 3,
};

/// One destination of a set, with its live state.
struct destination {
    std::string uri;
    uint32_t flags = 0; ///< the list file's flags column
    int32_t priority = 0;
    std::string attrs;
    int32_t weight = 0;  ///< attrs "weight=N"
    int32_t rweight = 0; ///< attrs "rweight=N"
    std::string duid;    ///< attrs "duid=ID": names it for algorithm 10
    int32_t maxload = 0; ///< attrs "maxload=N": algorithm 10's most calls (0: no limit)
    std::string host;    ///< the URI's host and port, for ds_select_domain
    uint16_t port = 0;
    siphost_dest address{}; ///< resolved at load time (family 0: not resolved)
    std::atomic<uint32_t> state{0};
    std::atomic<uint32_t> failures{0};  ///< consecutive failed probes or "t" marks
    std::atomic<uint32_t> successes{0}; ///< consecutive answered probes while not active

    bool usable() const { return (state.load() & (ds_inactive | ds_disabled)) == 0; }
};

/// One set (setid): destinations sorted by priority, highest first, as Kamailio keeps them.
struct destination_set {
    int32_t id = 0;
    std::vector<std::unique_ptr<destination>> items;
    std::atomic<uint32_t> next{0}; ///< round robin and weight counters
};

struct destination_sets {
    std::vector<std::unique_ptr<destination_set>> sets;
    const destination_set* find(int32_t id) const;
};

/// Adds one destination (a list file line, a table row); throws sdk::config_error starting with where.
void add_destination(const siphost_host_api* host, destination_sets& sets, int64_t setid,
                     std::string_view uri, int64_t flags, int64_t priority, std::string_view attrs,
                     const std::string& where);
/// Sorts each set by priority, highest first (stable: equal priorities keep their order).
void sort_sets(destination_sets& sets);

/// Parses list file text; throws sdk::config_error naming the file line on bad input.
std::unique_ptr<destination_sets> parse_list(const siphost_host_api* host, std::string_view text,
                                             std::string_view file_name);
/// Reads and parses a list file; throws sdk::config_error.
std::unique_ptr<destination_sets> load_list_file(const siphost_host_api* host, const std::string& path);

} // namespace siphost::modules::dispatcher

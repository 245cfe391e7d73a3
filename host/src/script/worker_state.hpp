#pragma once

#include <cstdint>
#include <vector>

#include "script/value.hpp"

namespace siphost::script {

/// What one worker keeps between messages: its $var and $vn values (Kamailio keeps them per process;
/// siphost's workers are threads, so each thread has its own).
struct worker_state {
    std::uint64_t owner = 0; ///< the generation of the compiled script the slots belong to
    std::vector<value> variables;
    std::vector<bool> assigned;

    /// Makes room for slot (pv_parse may add variables after the first message).
    void ensure(std::uint32_t slot) {
        if (slot >= variables.size()) {
            variables.resize(slot + 1);
            assigned.resize(slot + 1, false);
        }
    }
};

} // namespace siphost::script

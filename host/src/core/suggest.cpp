#include "core/suggest.hpp"

#include <algorithm>
#include <numeric>

namespace siphost::core {

size_t edit_distance(std::string_view a, std::string_view b) {
    // Optimal string alignment distance over three rolling rows.
    std::vector<size_t> before(b.size() + 1), previous(b.size() + 1), current(b.size() + 1);
    std::iota(previous.begin(), previous.end(), size_t{0});
    for (size_t i = 1; i <= a.size(); ++i) {
        current[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                current[j] = std::min(current[j], before[j - 2] + 1);
        }
        std::swap(before, previous);
        std::swap(previous, current);
    }
    return previous[b.size()];
}

std::optional<std::string> nearest_name(std::string_view name, const std::vector<std::string_view>& candidates) {
    size_t allowed = std::max<size_t>(1, name.size() / 3);
    std::optional<std::string> best;
    size_t best_distance = allowed + 1;
    for (auto candidate : candidates) {
        size_t d = edit_distance(name, candidate);
        if (d < best_distance && d > 0) {
            best_distance = d;
            best = std::string(candidate);
        }
    }
    return best;
}

} // namespace siphost::core

// libFuzzer target: jsonrpcs' request reader. The input is a FIFO stream: cut into documents with small
// limits (so that the size and depth refusals are reached), each document parsed as a request; the whole
// input is parsed as one datagram request as well. Nothing may crash, leak or read out of bounds, and every
// result must be either a request or an error.
#include "frame_reader.hpp"
#include "json_request.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

using namespace siphost::modules::jsonrpcs;

namespace {

void check(const json_request& request) {
    if (request.valid() && request.method.empty())
        std::abort(); // a valid request always names its method
    if (!request.valid() && request.error_message.empty())
        std::abort(); // an error always says what
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    json_limits limits;
    limits.max_size = 4096;
    limits.max_depth = 8;
    check(parse_request(input, limits));

    frame_reader reader(
        limits.max_size, [&](std::string_view document) { check(parse_request(document, limits)); },
        [](std::string_view) {});
    // Fed in two pieces, split where the first byte says, so that boundaries inside tokens are covered.
    size_t split = size == 0 ? 0 : data[0] % (size + 1);
    reader.feed(input.substr(0, split));
    reader.feed(input.substr(split));
    reader.end_of_stream();
    return 0;
}

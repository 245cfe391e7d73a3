// libFuzzer: ctl's binrpc decoder on arbitrary bytes. Framing, then decoding of every framed packet, must
// answer or refuse without reading out of bounds; what decodes is written back and must decode the same.
#include "binrpc.hpp"

#include <cstdlib>

using namespace siphost::modules::ctl;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::span<const uint8_t> stream(data, size);
    while (!stream.empty()) {
        size_t packet_size = 0;
        std::string error;
        auto framed = binrpc::frame_size(stream, 65536, packet_size, error);
        if (framed != binrpc::frame::complete)
            break;
        binrpc::request_packet request;
        if (binrpc::decode_request(stream.first(packet_size), request, error)) {
            // Round trip: the same method and parameters, written as a request, decode to the same values.
            binrpc::writer w;
            w.add_str(request.method);
            for (const auto& p : request.params) {
                if (const auto* n = std::get_if<int64_t>(&p))
                    w.add_int(*n);
                else if (const auto* d = std::get_if<double>(&p))
                    w.add_double(*d);
                else
                    w.add_str(std::get<std::string>(p));
            }
            auto again = w.packet(binrpc::request, request.cookie);
            binrpc::request_packet second;
            if (!binrpc::decode_request(again, second, error) || second.method != request.method ||
                second.params.size() != request.params.size() || second.cookie != request.cookie)
                std::abort();
        }
        stream = stream.subspan(packet_size);
    }
    return 0;
}

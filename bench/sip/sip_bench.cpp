// The hot path of a proxy: parse a typical INVITE and read what transaction matching needs; build the
// forwarded copy with the usual changes; answer locally.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <string>
#include <vector>

#include "sip/message.hpp"
#include "sip/serializer.hpp"
#include "sip/transaction_key.hpp"
#include "sip/uri.hpp"

using namespace siphost::sip;

namespace {

/// The machine is shared: beside the median of the repetitions, the fastest one shows the code's own cost
/// with the least interference from other tenants.
double fastest(const std::vector<double>& v) {
    return v.empty() ? 0.0 : *std::min_element(v.begin(), v.end());
}

void repeated(benchmark::internal::Benchmark* b) {
    b->Repetitions(9)->ReportAggregatesOnly(true)->ComputeStatistics("min", fastest);
}

const std::string k_body = "v=0\r\n"
                           "o=alice 2890844526 2890844526 IN IP4 192.0.2.101\r\n"
                           "s=-\r\n"
                           "c=IN IP4 192.0.2.101\r\n"
                           "t=0 0\r\n"
                           "m=audio 49170 RTP/AVP 0\r\n"
                           "a=rtpmap:0 PCMU/8000\r\n";

const std::string k_invite =
    "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds;rport\r\n"
    "Max-Forwards: 70\r\n"
    "To: Bob <sip:bob@biloxi.example.com>\r\n"
    "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Contact: <sip:alice@pc33.atlanta.example.com>\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: " +
    std::to_string(k_body.size()) + "\r\n\r\n" + k_body;

void parse_invite(benchmark::State& state) {
    message m;
    for (auto _ : state) {
        parse_result r = m.parse(k_invite);
        benchmark::DoNotOptimize(r);
        benchmark::DoNotOptimize(m.via_at(0)->branch);
        benchmark::DoNotOptimize(m.cseq().number);
        benchmark::DoNotOptimize(m.cseq().method);
        benchmark::DoNotOptimize(m.call_id());
        benchmark::DoNotOptimize(m.from_tag());
    }
    state.counters["bytes"] = static_cast<double>(k_invite.size());
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * k_invite.size()));
}
BENCHMARK(parse_invite)->Apply(repeated);

void parse_invite_and_uris(benchmark::State& state) {
    message m;
    for (auto _ : state) {
        m.parse(k_invite);
        benchmark::DoNotOptimize(m.from().uri.user());
        benchmark::DoNotOptimize(m.to().uri.host());
    }
}
BENCHMARK(parse_invite_and_uris)->Apply(repeated);

void parse_invite_and_key(benchmark::State& state) {
    message m;
    for (auto _ : state) {
        m.parse(k_invite);
        auto key = make_rfc3261_key(m);
        benchmark::DoNotOptimize(key);
        benchmark::DoNotOptimize(m.contacts());
    }
}
BENCHMARK(parse_invite_and_key)->Apply(repeated);

void forwarded_copy(benchmark::State& state) {
    message m;
    m.parse(k_invite);
    std::vector<char> out(4096);
    via_spec via{"UDP", "192.0.2.10", 5060, "z9hG4bKc2a3f1.0", {}};
    std::size_t size = 0;
    for (auto _ : state) {
        m.edits().clear();
        m.add_header("X-Proxy: siphost", header_position::bottom);
        m.add_record_route("<sip:192.0.2.10;lr>");
        write_result r = write_forwarded_request(m, via, out);
        benchmark::DoNotOptimize(r);
        benchmark::DoNotOptimize(out.data());
        size = r.size;
    }
    state.counters["bytes"] = static_cast<double>(size);
}
BENCHMARK(forwarded_copy)->Apply(repeated);

void parse_and_forward(benchmark::State& state) {
    message m;
    std::vector<char> out(4096);
    via_spec via{"UDP", "192.0.2.10", 5060, "z9hG4bKc2a3f1.0", {}};
    for (auto _ : state) {
        m.parse(k_invite);
        m.add_header("X-Proxy: siphost", header_position::bottom);
        m.add_record_route("<sip:192.0.2.10;lr>");
        write_result r = write_forwarded_request(m, via, out);
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(parse_and_forward)->Apply(repeated);

void local_reply_100(benchmark::State& state) {
    message m;
    m.parse(k_invite);
    std::vector<char> out(4096);
    local_reply reply;
    reply.code = 100;
    for (auto _ : state) {
        write_result r = write_local_reply(m, reply, out);
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(local_reply_100)->Apply(repeated);

void clone_invite(benchmark::State& state) {
    message m;
    m.parse(k_invite);
    for (auto _ : state) {
        message copy = m.clone();
        benchmark::DoNotOptimize(copy.raw().data());
    }
}
BENCHMARK(clone_invite)->Apply(repeated);

void parse_uri(benchmark::State& state) {
    const std::string text = "sip:alice:secret@atlanta.example.com:5070;transport=tcp;lr?Subject=hi";
    uri u;
    for (auto _ : state) {
        bool ok = u.parse(text);
        benchmark::DoNotOptimize(ok);
        benchmark::DoNotOptimize(u.host());
    }
}
BENCHMARK(parse_uri)->Apply(repeated);

} // namespace

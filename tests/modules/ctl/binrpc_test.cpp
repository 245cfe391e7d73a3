// ctl's binrpc codec against bytes kamcmd and Kamailio 5.6 put on the wire (captured from a real session):
// kamcmd's requests decode, siphost's replies encode as Kamailio's do, and broken packets are refused.
#include "binrpc.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace siphost::modules::ctl;

std::vector<uint8_t> hex(std::string_view text) {
    std::vector<uint8_t> out;
    for (size_t i = 0; i + 1 < text.size(); i += 2)
        out.push_back(static_cast<uint8_t>(std::stoi(std::string(text.substr(i, 2)), nullptr, 16)));
    return out;
}

TEST(Binrpc, DecodesKamcmdRequests) {
    // kamcmd core.echo 1 300 s:x 2.5 hello
    auto packet = hex("a1021e232115910a636f72652e6563686f00100120012c2178002209c46168656c6c6f00");
    size_t size = 0;
    std::string error;
    ASSERT_EQ(binrpc::frame_size(packet, 1024, size, error), binrpc::frame::complete);
    EXPECT_EQ(size, packet.size());
    binrpc::request_packet request;
    ASSERT_TRUE(binrpc::decode_request(packet, request, error)) << error;
    EXPECT_EQ(request.cookie, 0x232115u);
    EXPECT_EQ(request.method, "core.echo");
    ASSERT_EQ(request.params.size(), 5u);
    EXPECT_EQ(std::get<int64_t>(request.params[0]), 1);
    EXPECT_EQ(std::get<int64_t>(request.params[1]), 300);
    EXPECT_EQ(std::get<std::string>(request.params[2]), "x");
    EXPECT_DOUBLE_EQ(std::get<double>(request.params[3]), 2.5);
    EXPECT_EQ(std::get<std::string>(request.params[4]), "hello");
}

TEST(Binrpc, EncodesAStructAsKamailioDoes) {
    // Kamailio's reply to core.uptime, cookie 0x5273f702: {now: ..., up_since: ..., uptime: 4}
    auto expected =
        hex("a113525273f70203456e6f77009119547565204465632020312032303a30313a3034203230323600950975"
            "705f73696e6365009119547565204465632020312032303a30313a303020323032360075757074696d650010"
            "0483");
    binrpc::writer w;
    w.begin(binrpc::t_struct);
    w.add_name("now");
    w.add_str("Tue Dec  1 20:01:04 2026");
    w.add_name("up_since");
    w.add_str("Tue Dec  1 20:01:00 2026");
    w.add_name("uptime");
    w.add_int(4);
    w.end(binrpc::t_struct);
    EXPECT_EQ(w.packet(binrpc::reply, 0x5273f702), expected);
}

TEST(Binrpc, EncodesIntegersOfEveryWidth) {
    binrpc::writer w;
    w.add_int(0);
    w.add_int(300);
    w.add_int(-1);
    w.add_int(int64_t{1} << 40); // beyond binrpc's 32 bits: its digits
    EXPECT_EQ(w.packet(binrpc::reply, 1), hex("a1101901"
                                              "00"
                                              "20012c"
                                              "40ffffffff"
                                              "910e3130393935313136323737373600"));
}

TEST(Binrpc, EncodesDoublesAsKamailioDoesNegativeOnesIn64Bits) {
    // Kamailio's "Q: -1" of ul.lookup is 82 ffffffff fffffc18: thousandths in 64 bits, the length 8 in the
    // header's four length bits (captured from Kamailio 5.6.3; kamcmd printed 4294966.296 for a 32-bit one).
    binrpc::writer w;
    w.add_double(-1.0);
    w.add_double(2.5);
    w.add_double(0.0);
    EXPECT_EQ(w.packet(binrpc::reply, 1), hex("a1100d01"
                                              "82fffffffffffffc18"
                                              "2209c4"
                                              "02"));
}

TEST(Binrpc, DecodesA64BitNegativeDouble) {
    // core.echo -1.5 as a double of 8 bytes (0x82), then the integer -1 (4 bytes).
    auto packet = hex("a1001a01"
                      "910a636f72652e6563686f00"
                      "82fffffffffffffa24"
                      "40ffffffff");
    binrpc::request_packet request;
    std::string error;
    ASSERT_TRUE(binrpc::decode_request(packet, request, error)) << error;
    ASSERT_EQ(request.params.size(), 2u);
    EXPECT_DOUBLE_EQ(std::get<double>(request.params[0]), -1.5);
    EXPECT_EQ(std::get<int64_t>(request.params[1]), -1);
}

TEST(Binrpc, FaultsCarryCodeAndMessage) {
    auto packet = binrpc::fault_packet(7, 500, "command x not found");
    EXPECT_EQ(packet[0], 0xA1);
    EXPECT_EQ(packet[1] >> 4, binrpc::fault);
}

TEST(Binrpc, RefusesBrokenPackets) {
    size_t size = 0;
    std::string error;
    EXPECT_EQ(binrpc::frame_size(hex("a10f7fffffff01020304"), 32768, size, error), binrpc::frame::bad);
    EXPECT_NE(error.find("more than the 32768 allowed"), std::string::npos) << error;
    error.clear();
    EXPECT_EQ(binrpc::frame_size(hex("ff00"), 32768, size, error), binrpc::frame::bad);
    EXPECT_EQ(binrpc::frame_size(hex("a103"), 32768, size, error), binrpc::frame::need_more);
    EXPECT_EQ(binrpc::frame_size(hex("a1030e5273f702910c"), 32768, size, error), binrpc::frame::need_more);

    binrpc::request_packet request;
    // A string record longer than the packet.
    EXPECT_FALSE(binrpc::decode_request(hex("a10002019170"), request, error));
    // A string without its NUL.
    EXPECT_FALSE(binrpc::decode_request(hex("a100020111"
                                            "78"),
                                        request, error));
    EXPECT_NE(error.find("NUL"), std::string::npos) << error;
    // A struct as the method.
    EXPECT_FALSE(binrpc::decode_request(hex("a100010103"), request, error));
    // A reply where a request is due.
    EXPECT_FALSE(binrpc::decode_request(hex("a1100201217800"), request, error));
    // An integer of 5 bytes.
    EXPECT_FALSE(binrpc::decode_request(hex("a100090121780050010203040a"), request, error));
}

} // namespace

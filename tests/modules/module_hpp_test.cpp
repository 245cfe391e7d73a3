// The header-only helpers of sdk/include/siphost/module.hpp.
#include <siphost/module.hpp>

#include <gtest/gtest.h>

namespace siphost::tests {
namespace {

TEST(modules_sdk_helpers, split_uri_takes_sip_uris_apart) {
    sdk::uri_parts parts;
    ASSERT_TRUE(sdk::split_uri("sip:alice:secret@[2001:db8::1]:5070;transport=tcp;lr?subject=x", parts));
    EXPECT_EQ(parts.scheme, "sip");
    EXPECT_EQ(parts.user, "alice");
    EXPECT_EQ(parts.host, "2001:db8::1");
    EXPECT_EQ(parts.port, 5070);
    EXPECT_EQ(parts.params, "transport=tcp;lr");
    ASSERT_TRUE(sdk::split_uri("sips:example.com", parts));
    EXPECT_EQ(parts.host, "example.com");
    EXPECT_EQ(parts.port, 0);
    EXPECT_FALSE(sdk::split_uri("example.com", parts));
    EXPECT_FALSE(sdk::split_uri("sip:h:99999", parts));
    EXPECT_FALSE(sdk::split_uri("sip:[::1", parts));
    EXPECT_FALSE(sdk::split_uri("sip:@", parts));
}

TEST(modules_sdk_helpers, uri_of_and_find_param) {
    EXPECT_EQ(sdk::uri_of("\"Bob\" <sip:b@h;lr>;tag=1"), "sip:b@h;lr");
    EXPECT_EQ(sdk::uri_of(" sip:b@h "), "sip:b@h");
    EXPECT_EQ(sdk::uri_of("<sip:b@h"), "");
    std::string_view value;
    EXPECT_TRUE(sdk::find_param("lr;ftag=abc ; x", "FTAG", &value));
    EXPECT_EQ(value, "abc");
    EXPECT_TRUE(sdk::find_param("lr;ftag=abc", "lr", &value));
    EXPECT_EQ(value, "");
    EXPECT_FALSE(sdk::find_param("lrx;ftag=abc", "lr"));
}

TEST(modules_sdk_helpers, arguments) {
    int64_t n = 0;
    EXPECT_TRUE(sdk::arg_int(sdk::int_value(-4), n));
    EXPECT_EQ(n, -4);
    EXPECT_TRUE(sdk::arg_int(sdk::str_value(" 483 "), n));
    EXPECT_EQ(n, 483);
    EXPECT_TRUE(sdk::arg_int(sdk::str_value("-2"), n));
    EXPECT_EQ(n, -2);
    EXPECT_FALSE(sdk::arg_int(sdk::str_value("4x"), n));
    EXPECT_FALSE(sdk::arg_int(sdk::str_value("99999999999999999999"), n));
    EXPECT_FALSE(sdk::arg_int(sdk::null_value(), n));
    EXPECT_EQ(sdk::arg_view(sdk::str_value("abc")), "abc");
    EXPECT_EQ(sdk::arg_view(sdk::int_value(1)), "");
}

int throwing_handler(siphost_msg*, const siphost_value*, void*) {
    throw std::runtime_error("boom");
}
int fine_handler(siphost_msg*, const siphost_value*, void*) {
    return 7;
}

std::unique_ptr<int> refusing_fixup(const siphost_value*, const int*) {
    throw sdk::config_error("the first argument must be a number");
}
std::unique_ptr<int> accepting_fixup(const siphost_value*, const int*) {
    return std::make_unique<int>(42);
}

TEST(modules_sdk_helpers, exceptions_stop_at_the_boundary) {
    EXPECT_EQ((sdk::guarded<&throwing_handler>(nullptr, nullptr, nullptr)), -1);
    EXPECT_EQ((sdk::guarded<&throwing_handler, -2>(nullptr, nullptr, nullptr)), -2);
    EXPECT_EQ(sdk::guarded<&fine_handler>(nullptr, nullptr, nullptr), 7);

    char err[16];
    void* data = nullptr;
    EXPECT_EQ(sdk::fixup<&refusing_fixup>(nullptr, nullptr, &data, err, sizeof err), -1);
    EXPECT_STREQ(err, "the first argum"); // truncated to the buffer, NUL-terminated
    EXPECT_EQ(sdk::fixup<&accepting_fixup>(nullptr, nullptr, &data, err, sizeof err), 0);
    ASSERT_NE(data, nullptr);
    EXPECT_EQ(*static_cast<int*>(data), 42);
    sdk::free_call_data<int>(data);

    EXPECT_EQ(sdk::guard(-5, []() -> int { throw 1; }), -5);
    EXPECT_EQ(sdk::guard_with_error(err, sizeof err, []() -> int { throw std::runtime_error("bad"); }), -1);
    EXPECT_STREQ(err, "bad");
}

TEST(modules_sdk_helpers, table_builders) {
    siphost_command c =
        sdk::command("f", SIPHOST_ROUTE_REQUEST, fine_handler, {SIPHOST_ARG_INT, SIPHOST_ARG_STRING});
    EXPECT_EQ(c.struct_size, sizeof(siphost_command));
    EXPECT_EQ(c.arg_count, 2u);
    EXPECT_EQ(c.arg_kinds[0], SIPHOST_ARG_INT);
    EXPECT_EQ(c.arg_kinds[1], SIPHOST_ARG_STRING);
    EXPECT_EQ(sdk::end_of_commands().name, nullptr);
    int32_t target = 0;
    siphost_param p = sdk::int_param("n", &target);
    EXPECT_EQ(p.kinds, static_cast<uint32_t>(SIPHOST_PARAM_INT));
    EXPECT_EQ(p.target, &target);
    siphost_module m = sdk::module("x", "1", &c, nullptr, nullptr, nullptr);
    EXPECT_EQ(m.abi_major, static_cast<uint32_t>(SIPHOST_ABI_MAJOR));
    EXPECT_EQ(m.struct_size, sizeof(siphost_module));
}

} // namespace
} // namespace siphost::tests

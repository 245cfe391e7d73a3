// pv.so through the fake host: pv_isset, pv_unset, is_int, typeof, and their fixups, which parse the
// variable (fixups run after init).
#include "fake_host.hpp"

#include <siphost/module.hpp>

#include <gtest/gtest.h>

namespace siphost::tests {
namespace {

constexpr const char* bye_text =
    "BYE sip:b@c SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK2\nFrom: <sip:a@b>;tag=1\n"
    "To: <sip:c@d>;tag=2\nCall-ID: c\nCSeq: 2 BYE\nContent-Length: 0\n\n";

class modules_pv : public ::testing::Test {
protected:
    void SetUp() override { msg = host.parse(bye_text); }

    void init() {
        std::string error;
        ASSERT_EQ(pv.init(host, &error), 0) << error;
    }

    void add_avp(std::string_view name, const siphost_value& value) {
        host.api()->avp_add(host.api()->msg_avps(msg.get()), sdk::str(name), &value);
    }

    fake_host host;
    loaded_module pv{"pv"};
    std::unique_ptr<siphost_msg> msg;
};

TEST_F(modules_pv, call_site_is_parsed_by_its_fixup) {
    init();
    call_site isset(pv, "pv_isset", {arg("$avp(x)")});
    EXPECT_EQ(isset.run(msg.get()), -1);
    add_avp("x", sdk::str_value("I remember"));
    EXPECT_EQ(isset.run(msg.get()), 1);
    EXPECT_TRUE(host.logs.empty());
}

TEST_F(modules_pv, variable_the_host_cannot_parse_fails_the_config_with_its_reason) {
    init();
    try {
        call_site bogus(pv, "pv_isset", {arg("$bogus")});
        FAIL() << "accepted $bogus";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("cannot use \"$bogus\": unknown pseudo-variable"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_THROW(call_site(pv, "pv_isset", {arg("avp(x)")}), std::runtime_error);
    EXPECT_THROW(call_site(pv, "typeof", {arg("$bogus"), arg("int")}), std::runtime_error);
}

TEST_F(modules_pv, pv_unset_removes_the_value) {
    init();
    call_site unset(pv, "pv_unset", {arg("$avp(x)")});
    call_site isset(pv, "pv_isset", {arg("$avp(x)")});
    add_avp("x", sdk::int_value(5));
    EXPECT_EQ(isset.run(msg.get()), 1);
    EXPECT_EQ(unset.run(msg.get()), 1);
    EXPECT_EQ(isset.run(msg.get()), -1);
}

TEST_F(modules_pv, is_int_and_typeof) {
    init();
    call_site is_int(pv, "is_int", {arg("$avp(n)")});
    call_site is_str(pv, "typeof", {arg("$avp(n)"), arg("str")});
    call_site is_null(pv, "typeof", {arg("$avp(n)"), arg("null")});
    call_site is_integer(pv, "typeof", {arg("$avp(n)"), arg("int")});
    EXPECT_EQ(is_int.run(msg.get()), -1);
    EXPECT_EQ(is_null.run(msg.get()), 1);
    add_avp("n", sdk::int_value(7));
    EXPECT_EQ(is_int.run(msg.get()), 1);
    EXPECT_EQ(is_integer.run(msg.get()), 1);
    EXPECT_EQ(is_str.run(msg.get()), -1);
    add_avp("n", sdk::str_value("7"));
    EXPECT_EQ(is_int.run(msg.get()), -1);
    EXPECT_EQ(is_str.run(msg.get()), 1);
    EXPECT_EQ(is_null.run(msg.get()), -1);
}

TEST_F(modules_pv, typeof_type_must_be_known) {
    init();
    EXPECT_THROW(call_site(pv, "typeof", {arg("$avp(n)"), arg("float")}), std::runtime_error);
}

TEST_F(modules_pv, never_assigned_var_is_the_integer_zero) {
    init();
    call_site is_int(pv, "is_int", {arg("$var(count)")});
    EXPECT_EQ(is_int.run(msg.get()), 1);
    host.vars["count"] = stored_value{SIPHOST_VALUE_STR, 0, "abc"};
    EXPECT_EQ(is_int.run(msg.get()), -1);
}

} // namespace
} // namespace siphost::tests

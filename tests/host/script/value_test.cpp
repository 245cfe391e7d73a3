// script::value.

#include <gtest/gtest.h>

#include "script/value.hpp"

namespace siphost::script {
namespace {

TEST(script_value, conversions) {
    EXPECT_EQ(0, value().to_int());
    EXPECT_EQ(42, value::borrow("42abc").to_int());
    EXPECT_EQ(-7, value::borrow(" -7").to_int());
    EXPECT_EQ(0, value::borrow("abc").to_int());
    EXPECT_TRUE(value::borrow("-12").is_numeric());
    EXPECT_FALSE(value::borrow("12a").is_numeric());
    EXPECT_FALSE(value::borrow("").is_numeric());
    EXPECT_FALSE(value::borrow("-").is_numeric());
    std::string out;
    value().append_to(out);
    value::make_int(-3).append_to(out);
    value::borrow("x").append_to(out);
    EXPECT_EQ("<null>-3x", out);
}

TEST(script_value, truth) {
    EXPECT_FALSE(value().truthy());
    EXPECT_FALSE(value::make_int(0).truthy());
    EXPECT_TRUE(value::make_int(-1).truthy());
    EXPECT_FALSE(value::borrow("0").truthy());
    EXPECT_TRUE(value::borrow("abc").truthy());
    EXPECT_FALSE(value::borrow("").truthy());
}

TEST(script_value, copies_keep_their_own_storage) {
    value a = value::own("a long string that does not fit in the small buffer");
    value b = a;
    value c = std::move(a);
    EXPECT_EQ(b.text(), c.text());
    EXPECT_NE(b.text().data(), c.text().data());
    std::string source = "borrowed";
    value d = value::borrow(source);
    d.make_owned();
    source = "changed!";
    EXPECT_EQ("borrowed", d.text());
    siphost_value abi = value::make_int(9).to_abi();
    EXPECT_EQ(SIPHOST_VALUE_INT, abi.kind);
    EXPECT_EQ(9, value::from_abi(abi, false).number());
}

} // namespace
} // namespace siphost::script

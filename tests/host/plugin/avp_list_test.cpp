#include "plugin/avp_list.hpp"

#include <gtest/gtest.h>

#include <cstring>

using namespace siphost::plugin;

namespace {

siphost_value text(const char* s) {
    siphost_value v{};
    v.kind = SIPHOST_VALUE_STR;
    v.str = {s, std::strlen(s)};
    return v;
}

siphost_value number(int64_t n) {
    siphost_value v{};
    v.kind = SIPHOST_VALUE_INT;
    v.num = n;
    return v;
}

std::string as_text(const siphost_value& v) {
    return std::string(v.str.s, v.str.len);
}

} // namespace

TEST(AvpList, TheLastValueAddedIsIndexZero) {
    siphost_avp_list list;
    ASSERT_TRUE(avp_add(list, "state_test_var", text("first")));
    ASSERT_TRUE(avp_add(list, "other", number(7)));
    ASSERT_TRUE(avp_add(list, "state_test_var", text("I remember")));
    siphost_value out{};
    ASSERT_TRUE(avp_get(list, "state_test_var", 0, out));
    EXPECT_EQ(as_text(out), "I remember");
    ASSERT_TRUE(avp_get(list, "state_test_var", 1, out));
    EXPECT_EQ(as_text(out), "first");
    EXPECT_FALSE(avp_get(list, "state_test_var", 2, out));
    ASSERT_TRUE(avp_get(list, "other", 0, out));
    EXPECT_EQ(out.kind, static_cast<uint32_t>(SIPHOST_VALUE_INT));
    EXPECT_EQ(out.num, 7);
    EXPECT_EQ(avp_count(list, "state_test_var"), 2u);
}

TEST(AvpList, DeletesOneOrAllValuesOfAName) {
    siphost_avp_list list;
    avp_add(list, "x", number(1));
    avp_add(list, "x", number(2));
    avp_add(list, "x", number(3));
    EXPECT_EQ(avp_delete(list, "x", 1), 1); // the middle one, 2
    siphost_value out{};
    ASSERT_TRUE(avp_get(list, "x", 1, out));
    EXPECT_EQ(out.num, 1);
    EXPECT_EQ(avp_delete(list, "x", -1), 2);
    EXPECT_FALSE(avp_get(list, "x", 0, out));
    EXPECT_EQ(avp_delete(list, "x", -1), 0);
}

TEST(AvpList, SetReplacesTheNthValueWhereItStands) {
    siphost_avp_list list;
    avp_add(list, "x", number(1));
    avp_add(list, "other", number(9));
    avp_add(list, "x", number(2));
    avp_add(list, "x", number(3));
    ASSERT_TRUE(avp_set(list, "x", 1, text("two"))); // 2 becomes "two"; 3 stays on top
    siphost_value out{};
    ASSERT_TRUE(avp_get(list, "x", 0, out));
    EXPECT_EQ(out.num, 3);
    ASSERT_TRUE(avp_get(list, "x", 1, out));
    EXPECT_EQ(as_text(out), "two");
    ASSERT_TRUE(avp_get(list, "x", 2, out));
    EXPECT_EQ(out.num, 1);
    EXPECT_EQ(avp_count(list, "x"), 3u);
    EXPECT_FALSE(avp_set(list, "x", 3, number(4))); // no fourth value: nothing added
    EXPECT_FALSE(avp_set(list, "missing", 0, number(4)));
    EXPECT_FALSE(avp_set(list, "x", 0, siphost_value{}));
    EXPECT_EQ(avp_count(list, "x"), 3u);
    // A value that is a view into the one it replaces.
    ASSERT_TRUE(avp_get(list, "x", 1, out));
    siphost_value tail = out;
    tail.str = {out.str.s + 1, 2}; // "wo"
    ASSERT_TRUE(avp_set(list, "x", 1, tail));
    ASSERT_TRUE(avp_get(list, "x", 1, out));
    EXPECT_EQ(as_text(out), "wo");
}

TEST(AvpList, RefusesNullValuesAndCopiesStrings) {
    siphost_avp_list list;
    siphost_value null_value{};
    EXPECT_FALSE(avp_add(list, "x", null_value));
    std::string changing = "before";
    avp_add(list, "x", text(changing.c_str()));
    changing = "after!";
    siphost_value out{};
    ASSERT_TRUE(avp_get(list, "x", 0, out));
    EXPECT_EQ(as_text(out), "before");
}

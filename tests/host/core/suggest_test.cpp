#include "core/suggest.hpp"

#include <gtest/gtest.h>

using siphost::core::edit_distance;
using siphost::core::nearest_name;

TEST(Suggest, CountsEditsWithTranspositionsAsOne) {
    EXPECT_EQ(edit_distance("t_relay_to_upd", "t_relay_to_udp"), 1u);
    EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
    EXPECT_EQ(edit_distance("", "abc"), 3u);
}

TEST(Suggest, SuggestsOnlyPlausibleTypos) {
    std::vector<std::string_view> names{"t_relay", "t_relay_to_udp", "t_on_reply"};
    EXPECT_EQ(nearest_name("t_relay_to_upd", names), "t_relay_to_udp");
    EXPECT_EQ(nearest_name("t_rleay", names), "t_relay");
    EXPECT_FALSE(nearest_name("xlog", names));
    EXPECT_FALSE(nearest_name("t_relay", names)) << "an exact name is not a suggestion";
}

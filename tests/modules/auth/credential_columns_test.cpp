// auth_db's load_credentials parameter, compiled from the module's source.
#include "credential_columns.hpp"

#include <siphost/module.hpp>

#include <gtest/gtest.h>

namespace siphost::modules::auth_db {
namespace {

TEST(auth_db_load_credentials, kamailio_syntax) {
    auto columns =
        parse_credential_columns("$avp(i:123)=rpid;email_address; $avp(s:who) = username ;$avp(dom)=domain");
    ASSERT_EQ(columns.size(), 4u);
    EXPECT_EQ(columns[0].avp, "i:123");
    EXPECT_EQ(columns[0].column, "rpid");
    EXPECT_EQ(columns[1].avp, "email_address");
    EXPECT_EQ(columns[1].column, "email_address");
    EXPECT_EQ(columns[2].avp, "who");
    EXPECT_EQ(columns[2].column, "username");
    EXPECT_EQ(columns[3].avp, "dom");
    EXPECT_TRUE(parse_credential_columns("").empty()) << "Debian's kamailio.cfg sets it empty";
    EXPECT_TRUE(parse_credential_columns(" ; ").empty());
}

TEST(auth_db_load_credentials, bad_values_are_config_errors) {
    for (const char* bad : {"$avp(i:x)=rpid", "$avp()=rpid", "$var(x)=rpid", "$avp(x=rpid", "rp id",
                            "$avp(x)=", "x;drop table"})
        EXPECT_THROW(parse_credential_columns(bad), sdk::config_error) << bad;
}

} // namespace
} // namespace siphost::modules::auth_db

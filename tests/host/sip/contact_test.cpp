// Contact values as a registrar reads them, and qvalues.
#include "sip/contact.hpp"

#include <gtest/gtest.h>

namespace siphost::sip {
namespace {

TEST(sip_contact, ReadsEveryBindingWithItsParameters) {
    std::vector<contact> out;
    auto kind = parse_contacts("\"Alice\" <sip:alice@10.0.0.1:5062;transport=tcp>;expires=3600;q=0.7;"
                               "+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>\";reg-id=1, "
                               "<sip:alice@192.0.2.4>",
                               out);
    ASSERT_EQ(contact_list_kind::list, kind);
    ASSERT_EQ(2u, out.size());
    EXPECT_EQ("sip:alice@10.0.0.1:5062;transport=tcp", out[0].address.uri_text);
    EXPECT_EQ(3600, out[0].expires);
    EXPECT_EQ(700, out[0].q);
    EXPECT_EQ(1u, out[0].reg_id);
    EXPECT_EQ("urn:uuid:00000000-0000-1000-8000-000A95A0E128", out[0].instance);
    EXPECT_EQ("sip:alice@192.0.2.4", out[1].address.uri_text);
    EXPECT_EQ(-1, out[1].expires);
    EXPECT_EQ(-1, out[1].q);
    EXPECT_TRUE(out[1].instance.empty());
}

TEST(sip_contact, StarIsAloneOrMalformed) {
    std::vector<contact> out;
    EXPECT_EQ(contact_list_kind::star, parse_contacts(" * ", out));
    EXPECT_EQ(contact_list_kind::malformed, parse_contacts("*, <sip:a@b>", out));
    EXPECT_EQ(contact_list_kind::malformed, parse_contacts("<sip:a@b>, *", out));
}

TEST(sip_contact, BadParametersMakeTheValueMalformed) {
    std::vector<contact> out;
    EXPECT_EQ(contact_list_kind::malformed, parse_contacts("<sip:a@b>;expires=soon", out));
    EXPECT_EQ(contact_list_kind::malformed, parse_contacts("<sip:a@b>;q=1.5", out));
    EXPECT_EQ(contact_list_kind::malformed, parse_contacts("<sip:a@b>;reg-id=0", out));
    EXPECT_EQ(contact_list_kind::malformed, parse_contacts("<sip:a@b", out));
    EXPECT_EQ(contact_list_kind::malformed, parse_contacts("", out));
}

TEST(sip_contact, AHugeExpiresIsCappedNotRefused) {
    std::vector<contact> out;
    ASSERT_EQ(contact_list_kind::list, parse_contacts("<sip:a@b>;expires=99999999999999999999", out));
    EXPECT_EQ(4294967295, out[0].expires);
}

TEST(sip_contact, QvaluesAreThousandths) {
    EXPECT_EQ(0, parse_qvalue("0"));
    EXPECT_EQ(500, parse_qvalue("0.5"));
    EXPECT_EQ(1, parse_qvalue("0.001"));
    EXPECT_EQ(1000, parse_qvalue("1"));
    EXPECT_EQ(1000, parse_qvalue("1.000"));
    EXPECT_EQ(-1, parse_qvalue("1.1"));
    EXPECT_EQ(-1, parse_qvalue("0.1234"));
    EXPECT_EQ(-1, parse_qvalue("2"));
    EXPECT_EQ(-1, parse_qvalue(".5"));
}

} // namespace
} // namespace siphost::sip

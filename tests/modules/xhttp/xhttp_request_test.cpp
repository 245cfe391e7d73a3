// xhttp's reading of the host's HTTP request form and the replies it writes.
#include "http_request.hpp"

#include <gtest/gtest.h>

using siphost::modules::xhttp::http_reply;
using siphost::modules::xhttp::http_url;

TEST(xhttp_request, url_comes_back_unescaped) {
    EXPECT_EQ(http_url("sip:%2FRPC@http.invalid"), "/RPC");
    EXPECT_EQ(http_url("sip:%2Fa%3Fx%3D1%26y%3D%2541@http.invalid"), "/a?x=1&y=%41");
    EXPECT_EQ(http_url("sip:*@http.invalid"), "*");
}

TEST(xhttp_request, other_uris_are_not_http) {
    EXPECT_FALSE(http_url("sip:alice@example.com"));
    EXPECT_FALSE(http_url("sip:http.invalid"));
    EXPECT_FALSE(http_url("sips:%2F@http.invalid"));
    EXPECT_FALSE(http_url("sip:%2F@http.invalid.example"));
    EXPECT_FALSE(http_url(""));
}

TEST(xhttp_request, broken_escapes_are_refused) {
    EXPECT_FALSE(http_url("sip:%2@http.invalid"));
    EXPECT_FALSE(http_url("sip:%@http.invalid"));
    EXPECT_FALSE(http_url("sip:%zz@http.invalid"));
}

TEST(xhttp_request, reply_has_length_and_type) {
    EXPECT_EQ(http_reply(200, "OK", "text/plain", "hi"),
              "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi");
    EXPECT_EQ(http_reply(500, "Server Error", "", ""),
              "HTTP/1.1 500 Server Error\r\nContent-Length: 0\r\n\r\n");
}

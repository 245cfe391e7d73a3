#include "net/resolver.hpp"

#include <gtest/gtest.h>

using siphost::net::resolve_host;

TEST(Resolver, TakesIpLiteralsWithoutAskingTheResolver) {
    auto v4 = resolve_host("127.0.0.1", 5080);
    ASSERT_TRUE(v4.endpoint);
    EXPECT_EQ(v4.endpoint->address().to_string(), "127.0.0.1");
    EXPECT_EQ(v4.endpoint->port(), 5080);
    auto v6 = resolve_host("[::1]", 5060);
    ASSERT_TRUE(v6.endpoint);
    EXPECT_TRUE(v6.endpoint->address().is_v6());
}

TEST(Resolver, ResolvesLocalhostThroughTheSystem) {
    auto local = resolve_host("localhost", 5060);
    ASSERT_TRUE(local.endpoint) << local.error;
    EXPECT_TRUE(local.endpoint->address().is_loopback());
}

TEST(Resolver, ReportsANameThatDoesNotResolve) {
    // .invalid is reserved (RFC 2606) and never resolves; no query leaves a machine without a resolver.
    auto missing = resolve_host("no-such-host.invalid", 5060);
    EXPECT_FALSE(missing.endpoint);
    EXPECT_NE(missing.error.find("cannot resolve 'no-such-host.invalid'"), std::string::npos) << missing.error;
    EXPECT_FALSE(resolve_host("", 5060).endpoint);
}

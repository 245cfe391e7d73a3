#include "core/log.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

using namespace siphost::core;

TEST(Log, LevelNamesAreKamailios) {
    EXPECT_EQ(level_name(SIPHOST_LOG_ERR), "ERROR");
    EXPECT_EQ(level_name(SIPHOST_LOG_WARN), "WARNING");
    EXPECT_EQ(level_name(SIPHOST_LOG_DBG), "DEBUG");
    EXPECT_EQ(level_name(SIPHOST_LOG_BUG), "BUG");
}

TEST(Log, ParsesLevelNamesAndNumbers) {
    int level = 99;
    EXPECT_TRUE(parse_level("L_ERR", level));
    EXPECT_EQ(level, SIPHOST_LOG_ERR);
    EXPECT_TRUE(parse_level("INFO", level));
    EXPECT_EQ(level, SIPHOST_LOG_INFO);
    EXPECT_TRUE(parse_level("-5", level));
    EXPECT_EQ(level, -5);
    EXPECT_FALSE(parse_level("LOUD", level));
}

TEST(Log, WritesKamailiosStderrShapeAndHonoursTheThreshold) {
    configure_logging(log_settings{SIPHOST_LOG_WARN, log_target::stderr_stream});
    set_thread_rank(1);
    testing::internal::CaptureStderr();
    log_line(SIPHOST_LOG_ERR, "<script>: ", "for INVITE the value is I remember");
    log_line(SIPHOST_LOG_INFO, "<script>: ", "not shown at debug=0");
    log_host(SIPHOST_LOG_WARN, "tm", "a warning\n");
    auto text = testing::internal::GetCapturedStderr();
    auto pid = std::to_string(::getpid());
    EXPECT_EQ(text, " 1(" + pid + ") ERROR: <script>: for INVITE the value is I remember\n" + " 1(" + pid +
                        ") WARNING: tm: a warning\n");
    set_thread_rank(0);
}

// The text exposition writer, the script's metrics and the statistics section of xhttp_prom, alone.
#include "exposition.hpp"
#include "statistics_section.hpp"
#include "user_metrics.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace siphost::modules::xhttp_prom {
namespace {

TEST(PromExposition, MetricNamesKeepOnlyWhatTheFormatAllows) {
    EXPECT_EQ(metric_name("kamailio_sl_200_replies"), "kamailio_sl_200_replies");
    EXPECT_EQ(metric_name("kamailio_tcp_con-reset"), "kamailio_tcp_con_reset");
    EXPECT_EQ(metric_name("kamailio_counters_script.foo"), "kamailio_counters_script_foo");
    EXPECT_EQ(metric_name("1xx"), "_1xx");
    EXPECT_EQ(metric_name("a:b"), "a:b");
    EXPECT_EQ(metric_name(""), "_");
}

TEST(PromExposition, EscapesLabelValuesAndHelp) {
    EXPECT_EQ(escape_label_value("pu\"sh"), "pu\\\"sh");
    EXPECT_EQ(escape_label_value("a\\b\nc"), "a\\\\b\\nc");
    EXPECT_EQ(escape_help("say \"hi\"\\\n"), "say \"hi\"\\\\\\n") << "quotes stay in help";
    exposition_writer out;
    out.family("m", "gauge", "line one\nline two \\ end");
    out.sample("m", {{"who", "a \"b\"\n"}}, int64_t{3});
    EXPECT_EQ(out.text(), "# HELP m line one\\nline two \\\\ end\n"
                          "# TYPE m gauge\n"
                          "m{who=\"a \\\"b\\\"\\n\"} 3\n");
}

TEST(PromExposition, ACounterAndAGaugeWithLabelsAndTimestamps) {
    exposition_writer out(1554839325427);
    out.family("kamailio_sl_200_replies", "counter", "stateless 200 replies");
    out.sample("kamailio_sl_200_replies", {}, int64_t{15});
    out.family("kamailio_gg", "gauge", "");
    out.sample("kamailio_gg", {{"method", "push"}, {"IP", "192.168.0.1"}}, format_double(-5.2));
    EXPECT_EQ(out.text(), "# HELP kamailio_sl_200_replies stateless 200 replies\n"
                          "# TYPE kamailio_sl_200_replies counter\n"
                          "kamailio_sl_200_replies 15 1554839325427\n"
                          "# TYPE kamailio_gg gauge\n"
                          "kamailio_gg{method=\"push\",IP=\"192.168.0.1\"} -5.200000 1554839325427\n");
}

TEST(PromExposition, FloatsAsKamailioPrintsThem) {
    EXPECT_EQ(format_double(2.8), "2.800000");
    EXPECT_EQ(format_double(0), "0.000000");
    EXPECT_EQ(format_double(1.0 / 0.0), "+Inf");
    EXPECT_EQ(format_double(-1.0 / 0.0), "-Inf");
    EXPECT_EQ(format_double(0.0 / 0.0), "NaN");
    EXPECT_EQ(format_double(1e300).substr(0, 7), "1.00000") << format_double(1e300);
}

TEST(PromExposition, AHistogramWithBucketsSumAndCount) {
    exposition_writer out;
    out.histogram("h", {{"m", "x"}}, {2.3, 5.8}, {0, 1}, 2.8, 1);
    EXPECT_EQ(out.text(), "h_bucket{m=\"x\",le=\"2.300000\"} 0\n"
                          "h_bucket{m=\"x\",le=\"5.800000\"} 1\n"
                          "h_bucket{m=\"x\",le=\"+Inf\"} 1\n"
                          "h_sum{m=\"x\"} 2.800000\n"
                          "h_count{m=\"x\"} 1\n");
}

TEST(PromUserMetrics, DeclarationsAsKamailioWritesThem) {
    user_declaration d;
    std::string error;
    ASSERT_TRUE(parse_declaration(user_kind::counter, "name=cnt_third; label=method", d, error)) << error;
    EXPECT_EQ(d.name, "cnt_third");
    EXPECT_EQ(d.labels, (std::vector<std::string>{"method"}));
    ASSERT_TRUE(
        parse_declaration(user_kind::histogram, "name=histo_fourth; label=lbl; buckets=3.1:5:6.5", d, error))
        << error;
    EXPECT_EQ(d.buckets, (std::vector<double>{3.1, 5, 6.5}));
    ASSERT_TRUE(parse_declaration(user_kind::histogram, "name=my_histo;", d, error)) << error;
    EXPECT_EQ(d.buckets, default_buckets());
    EXPECT_EQ(d.buckets.size(), 11u);
}

TEST(PromUserMetrics, BadDeclarationsSayWhy) {
    user_declaration d;
    std::string error;
    EXPECT_FALSE(parse_declaration(user_kind::counter, "label=a", d, error));
    EXPECT_EQ(error, "the name attribute is mandatory");
    EXPECT_FALSE(parse_declaration(user_kind::counter, "name=x; label=a:b:c:d", d, error));
    EXPECT_EQ(error, "at most three labels are allowed");
    EXPECT_FALSE(parse_declaration(user_kind::histogram, "name=x; buckets=2:1", d, error));
    EXPECT_EQ(error, "buckets must increase ('1' does not)");
    EXPECT_FALSE(parse_declaration(user_kind::histogram, "name=x; buckets=1:abc", d, error));
    EXPECT_EQ(error, "bucket 'abc' is not a number");
    EXPECT_FALSE(parse_declaration(user_kind::counter, "name=x; buckets=1", d, error));
    EXPECT_EQ(error, "unknown attribute 'buckets' for a counter");
    EXPECT_FALSE(parse_declaration(user_kind::gauge, "name=bad-name", d, error));
    EXPECT_FALSE(parse_declaration(user_kind::gauge, "name=x; label=le", d, error));
    EXPECT_FALSE(parse_declaration(user_kind::gauge, "name", d, error));
    EXPECT_EQ(error, "'name' is not attribute=value");
}

TEST(PromUserMetrics, SeriesAppearOnFirstUseAndCountAsKamailioSays) {
    user_metrics m;
    std::string error;
    for (auto [kind, text] :
         {std::pair{user_kind::counter, "name=cnt; label=method:IP"}, std::pair{user_kind::gauge, "name=gg"},
          std::pair{user_kind::histogram, "name=h; buckets=1:2.5"}}) {
        user_declaration d;
        ASSERT_TRUE(parse_declaration(kind, text, d, error)) << error;
        ASSERT_TRUE(m.declare(d, error)) << error;
    }
    user_declaration again;
    ASSERT_TRUE(parse_declaration(user_kind::gauge, "name=gg", again, error));
    EXPECT_FALSE(m.declare(again, error));

    exposition_writer empty;
    m.write(empty, "kamailio_", 0);
    EXPECT_EQ(empty.text(), "") << "declared, never used";

    EXPECT_TRUE(m.counter_inc("cnt", 10, {"push", "192.168.0.1"}, 0, error)) << error;
    EXPECT_TRUE(m.counter_inc("cnt", 5, {"push", "192.168.0.1"}, 0, error)) << error;
    EXPECT_FALSE(m.counter_inc("cnt", -1, {"push", "192.168.0.1"}, 0, error));
    EXPECT_FALSE(m.counter_inc("cnt", 1, {"push"}, 0, error));
    EXPECT_EQ(error, "'cnt' has 2 labels, 1 values given");
    EXPECT_FALSE(m.counter_inc("gg", 1, {}, 0, error));
    EXPECT_EQ(error, "'gg' is a gauge, not a counter");
    EXPECT_FALSE(m.gauge_set("nothing", 1, {}, 0, error));
    EXPECT_TRUE(m.gauge_set("gg", -12.5, {}, 0, error));
    for (double v : {0.5, 2.0, 7.0})
        EXPECT_TRUE(m.histogram_observe("h", v, {}, 0, error)) << error;

    exposition_writer out;
    m.write(out, "kamailio_", 0);
    EXPECT_EQ(out.text(), "# TYPE kamailio_cnt counter\n"
                          "kamailio_cnt{method=\"push\",IP=\"192.168.0.1\"} 15\n"
                          "# TYPE kamailio_gg gauge\n"
                          "kamailio_gg -12.500000\n"
                          "# TYPE kamailio_h histogram\n"
                          "kamailio_h_bucket{le=\"1.000000\"} 1\n"
                          "kamailio_h_bucket{le=\"2.500000\"} 2\n"
                          "kamailio_h_bucket{le=\"+Inf\"} 3\n"
                          "kamailio_h_sum 9.500000\n"
                          "kamailio_h_count 3\n");

    EXPECT_TRUE(m.counter_reset("cnt", {"push", "192.168.0.1"}, 0, error));
    EXPECT_TRUE(m.gauge_reset("gg", {}, 0, error));
    exposition_writer reset;
    m.write(reset, "", 0);
    EXPECT_NE(reset.text().find("cnt{method=\"push\",IP=\"192.168.0.1\"} 0\n"), std::string::npos)
        << reset.text();
    EXPECT_NE(reset.text().find("gg 0.000000\n"), std::string::npos) << reset.text();
}

TEST(PromUserMetrics, AnUnusedSeriesExpiresAfterTheTimeout) {
    user_metrics m;
    std::string error;
    user_declaration d;
    ASSERT_TRUE(parse_declaration(user_kind::counter, "name=c; label=l", d, error));
    ASSERT_TRUE(m.declare(d, error));
    m.set_timeout_minutes(1);
    ASSERT_TRUE(m.counter_inc("c", 1, {"old"}, 1000, error));
    ASSERT_TRUE(m.counter_inc("c", 1, {"new"}, 50000, error));
    exposition_writer listed;
    m.write(listed, "", 60000);
    EXPECT_NE(listed.text().find("l=\"old\""), std::string::npos) << "59 s unused: still there";
    exposition_writer later;
    m.write(later, "", 62000);
    EXPECT_EQ(later.text().find("l=\"old\""), std::string::npos) << "61 s unused, listing is no use";
    EXPECT_NE(later.text().find("l=\"new\""), std::string::npos);
}

// A host that has three metrics, for the statistics section.
int walk_three(int (*fn)(const siphost_metric_info*, void*), void* data) {
    static const siphost_str method_name{"method", 6};
    static const siphost_str values[2] = {{"INVITE", 6}, {"BYE", 3}};
    struct row {
        const char* group;
        const char* name;
        uint32_t kind;
        const char* help;
        const siphost_str* value;
        int64_t number;
    };
    const row rows[] = {{"sl", "200_replies", SIPHOST_METRIC_COUNTER, "stateless 200 replies", nullptr, 7},
                        {"tcp", "con-reset", SIPHOST_METRIC_GAUGE, "", nullptr, 2},
                        {"tm", "by_method", SIPHOST_METRIC_COUNTER, "requests", &values[0], 3},
                        {"tm", "by_method", SIPHOST_METRIC_COUNTER, "requests", &values[1], 4}};
    int n = 0;
    for (const auto& r : rows) {
        siphost_metric_info info{};
        info.struct_size = sizeof info;
        info.group = {r.group, std::char_traits<char>::length(r.group)};
        info.name = {r.name, std::char_traits<char>::length(r.name)};
        info.kind = r.kind;
        info.help = {r.help, std::char_traits<char>::length(r.help)};
        info.label_count = r.value != nullptr ? 1 : 0;
        info.label_names = &method_name;
        info.label_values = r.value;
        info.value = r.number;
        ++n;
        if (fn(&info, data) != 0)
            break;
    }
    return n;
}

std::string statistics(const char* selection) {
    siphost_host_api host{};
    host.struct_size = sizeof host;
    host.metric_walk = walk_three;
    statistics_selector selector;
    std::string error;
    EXPECT_TRUE(selector.parse(selection, error)) << error;
    exposition_writer out;
    write_statistics(&host, selector, "kamailio_", out);
    return out.text();
}

TEST(PromStatistics, AllOfThemWithKamailiosNamesHelpAndTypes) {
    EXPECT_EQ(statistics("all"), "# Kamailio whole internal statistics\n"
                                 "# HELP kamailio_sl_200_replies stateless 200 replies\n"
                                 "# TYPE kamailio_sl_200_replies counter\n"
                                 "kamailio_sl_200_replies 7\n"
                                 "# HELP kamailio_tcp_con_reset tcp:con-reset\n"
                                 "# TYPE kamailio_tcp_con_reset gauge\n"
                                 "kamailio_tcp_con_reset 2\n"
                                 "# HELP kamailio_tm_by_method requests\n"
                                 "# TYPE kamailio_tm_by_method counter\n"
                                 "kamailio_tm_by_method{method=\"INVITE\"} 3\n"
                                 "kamailio_tm_by_method{method=\"BYE\"} 4\n");
}

TEST(PromStatistics, AGroupOrANameOrNone) {
    std::string sl = statistics("sl:");
    EXPECT_EQ(sl.find("# Kamailio statistics for group: sl\n"), 0u) << sl;
    EXPECT_NE(sl.find("kamailio_sl_200_replies 7\n"), std::string::npos);
    EXPECT_EQ(sl.find("tcp"), std::string::npos);
    std::string one = statistics("con-reset");
    EXPECT_NE(one.find("kamailio_tcp_con_reset 2\n"), std::string::npos) << one;
    EXPECT_EQ(one.find("sl_"), std::string::npos) << one;
    EXPECT_EQ(statistics(""), "");
    statistics_selector selector;
    std::string error;
    EXPECT_FALSE(selector.parse(":", error));
}

TEST(PromStatistics, AnOlderHostWithoutMetricWalkGivesNoSection) {
    siphost_host_api host{};
    host.struct_size = offsetof(siphost_host_api, metric_walk);
    host.metric_walk = walk_three;
    statistics_selector selector;
    std::string error;
    ASSERT_TRUE(selector.parse("all", error));
    exposition_writer out;
    EXPECT_EQ(write_statistics(&host, selector, "kamailio_", out), 0);
    EXPECT_EQ(out.text(), "");
}

} // namespace
} // namespace siphost::modules::xhttp_prom

// textops: header and text operations (Kamailio's textops module).
//
//   is_method("INVITE|BYE")               the request method (the CSeq method for a reply) is one of them
//   append_hf(hf), append_hf(hf, after)   adds a header line at the bottom, or after the first `after` header
//   insert_hf(hf), insert_hf(hf, before)  adds a header line at the top, or before the first `before` header
//   remove_hf(name)                       removes every line of a header; true when one was there
//   is_present_hf(name)                   the header is there
//   search(re)                            the received message matches re (POSIX extended, case-insensitive)
//   search_append(re, text)               inserts text after the first match of re
//   subst('/re/repl/flags')               sed-like replacement in the received message
//   has_body(), has_body(mime)            the message has a body (of that Content-Type)
//   search_body(re), replace(re, txt), replace_all, replace_body, replace_body_all, subst_body
//                                         regex search and replace confined to the body, or a fixed text
//   get_body_part(content_type, opv)     a part of a multipart body into a variable
//   set_body(txt, content_type)          replaces the body and its Content-Type
//   subst_uri('/re/repl/flags'), subst_user(...)   sed-like replacement on the Request-URI or its user
//   is_present_hf_re(re), remove_hf_re(re), remove_hf_exp(re, skip_re)   headers by a regex on their names
//   search_hf(hf, re, flags)              a regex on the values of a header (a all, f first, l last line)
//   append_urihf(prefix, suffix)          adds prefix + the received Request-URI + suffix as a header line
//   append_to_reply(txt), append_time()   header lines (the second a Date) for the reply the host builds
//   cmp_str, cmp_istr, starts_with, ends_with, str_find, str_ifind, in_list, in_list_prefix, search_str
//                                         tests on strings given with pseudo-variables (string_checks.hpp)
//
// Regexes are compiled once, when the config is read; a bad one is a config error with regerror's sentence.
// Text edits are recorded with msg_replace against the received bytes and applied by the host when sending.
#include "posix_regex.hpp"
#include "string_checks.hpp"
#include "subst_expression.hpp"

#include <siphost/module.hpp>

#include <cstdio>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace siphost::modules::textops {
namespace {

const char module_name[] = "textops";

const siphost_host_api* host_ = nullptr;
siphost_module_handle* self_ = nullptr;

// Kamailio compiles search() patterns case-insensitive and line-oriented.
constexpr int search_flags = REG_ICASE | REG_NEWLINE;

// ---- is_method ----

/// The methods of one is_method() call site, split when the config is read.
struct method_set {
    std::vector<std::string> methods;
};

void split_methods(std::string_view list, std::vector<std::string>& out, bool strict) {
    out.clear();
    while (true) {
        size_t bar = list.find('|');
        std::string_view method = sdk::trim(list.substr(0, bar));
        if (method.empty()) {
            if (strict)
                throw sdk::config_error(
                    "is_method: empty method name in the list; write e.g. \"INVITE|BYE\"");
        } else {
            out.emplace_back(method);
        }
        if (bar == std::string_view::npos)
            break;
        list.remove_prefix(bar + 1);
    }
}

std::unique_ptr<method_set> fix_is_method(const siphost_value* args, const int* constant) {
    if (!constant[0])
        return nullptr; // a list with pseudo-variables is split at each call
    auto set = std::make_unique<method_set>();
    split_methods(sdk::arg_view(args[0]), set->methods, true);
    return set;
}

int cmd_is_method(siphost_msg* msg, const siphost_value* args, void* call_data) {
    std::string_view method = sdk::view(host_->msg_method(msg));
    if (method.empty())
        return -1;
    if (call_data != nullptr) {
        for (const std::string& candidate : static_cast<const method_set*>(call_data)->methods)
            if (sdk::iequals(candidate, method))
                return 1;
        return -1;
    }
    std::string_view list = sdk::arg_view(args[0]);
    while (true) {
        size_t bar = list.find('|');
        if (sdk::iequals(sdk::trim(list.substr(0, bar)), method))
            return 1;
        if (bar == std::string_view::npos)
            return -1;
        list.remove_prefix(bar + 1);
    }
}

// ---- header lines ----

std::unique_ptr<int> fix_header_name(const siphost_value* args, const int* constant, size_t index) {
    if (constant[index]) {
        std::string_view name = sdk::trim(sdk::arg_view(args[index]));
        if (name.empty())
            throw sdk::config_error("the header name is empty");
        for (char c : name)
            if (c == ':' || c == ' ' || c == '\r' || c == '\n')
                throw sdk::config_error("\"" + std::string(name) +
                                        "\" is not a header name (write the name only, without ':')");
    }
    return nullptr;
}

std::unique_ptr<int> fix_name_first(const siphost_value* args, const int* constant) {
    return fix_header_name(args, constant, 0);
}

std::unique_ptr<int> fix_name_second(const siphost_value* args, const int* constant) {
    return fix_header_name(args, constant, 1);
}

int add_header(siphost_msg* msg, const siphost_value* args, int position, bool with_anchor) {
    std::string_view text = sdk::arg_view(args[0]);
    if (text.empty())
        return -1;
    siphost_str anchor{nullptr, 0};
    if (with_anchor)
        anchor = sdk::str(sdk::trim(sdk::arg_view(args[1])));
    return host_->msg_add_header(msg, sdk::str(text), position, anchor) == 0 ? 1 : -1;
}

int cmd_append_hf(siphost_msg* msg, const siphost_value* args, void*) {
    return add_header(msg, args, SIPHOST_HDR_BOTTOM, false);
}
int cmd_append_hf_after(siphost_msg* msg, const siphost_value* args, void*) {
    return add_header(msg, args, SIPHOST_HDR_AFTER, true);
}
int cmd_insert_hf(siphost_msg* msg, const siphost_value* args, void*) {
    return add_header(msg, args, SIPHOST_HDR_TOP, false);
}
int cmd_insert_hf_before(siphost_msg* msg, const siphost_value* args, void*) {
    return add_header(msg, args, SIPHOST_HDR_BEFORE, true);
}

int cmd_remove_hf(siphost_msg* msg, const siphost_value* args, void*) {
    std::string_view name = sdk::trim(sdk::arg_view(args[0]));
    if (name.empty())
        return -1;
    return host_->msg_remove_header(msg, sdk::str(name), -1) > 0 ? 1 : -1;
}

int cmd_is_present_hf(siphost_msg* msg, const siphost_value* args, void*) {
    std::string_view name = sdk::trim(sdk::arg_view(args[0]));
    siphost_str value{nullptr, 0};
    return !name.empty() && host_->msg_header(msg, sdk::str(name), 0, &value) == 1 ? 1 : -1;
}

// ---- headers by a regex on their names, and regexes on header values ----

/// The header lines of msg as received (removed ones included, added ones not), with for each the index
/// msg_remove_header counts it by: its place among the lines of the same header, full and compact names
/// together. Two names are the same header when the host's lookup finds the same first line for both.
struct header_line {
    std::string_view name;
    std::string_view value;
    int32_t index;
    const char* first_of_kind;
};

std::vector<header_line> header_lines(const siphost_msg* msg) {
    std::vector<header_line> lines;
    siphost_str name{nullptr, 0};
    siphost_str value{nullptr, 0};
    for (size_t i = 0; host_->msg_header_at(msg, i, &name, &value) == 1; ++i) {
        siphost_str first{nullptr, 0};
        if (host_->msg_header(msg, name, 0, &first) != 1)
            first.s = name.s; // not found by its own name (never expected): a header of its own
        int32_t index = 0;
        for (const header_line& earlier : lines)
            if (earlier.first_of_kind == first.s)
                ++index;
        lines.push_back({sdk::view(name), sdk::view(value), index, first.s});
    }
    return lines;
}

/// Kamailio compiles header-name regexes case-insensitive (measured: "^x-case" finds X-Case).
constexpr int header_regex_flags = REG_ICASE;

std::unique_ptr<posix_regex> compile_constant_regex(std::string_view pattern, const int* constant,
                                                    size_t index) {
    if (!constant[index])
        throw sdk::config_error("the regular expression must be a constant string (no pseudo-variables)");
    return std::make_unique<posix_regex>(std::string(pattern), header_regex_flags);
}

std::unique_ptr<posix_regex> fix_header_regex(const siphost_value* args, const int* constant) {
    return compile_constant_regex(sdk::arg_view(args[0]), constant, 0);
}

bool name_matches(const posix_regex& regex, std::string_view name) {
    regex_match match;
    return regex.search(name, 0, match);
}

int cmd_is_present_hf_re(siphost_msg* msg, const siphost_value*, void* call_data) {
    const auto& regex = *static_cast<const posix_regex*>(call_data);
    for (const header_line& line : header_lines(msg))
        if (name_matches(regex, line.name))
            return 1;
    return -1;
}

/// Removes the lines whose name matches `match` and not `skip` (when given); 1 when one was removed.
int remove_matching(siphost_msg* msg, const posix_regex& match, const posix_regex* skip) {
    int removed = 0;
    for (const header_line& line : header_lines(msg)) {
        if (!name_matches(match, line.name) || (skip != nullptr && name_matches(*skip, line.name)))
            continue;
        removed += host_->msg_remove_header(msg, sdk::str(line.name), line.index) > 0 ? 1 : 0;
    }
    return removed > 0 ? 1 : -1;
}

int cmd_remove_hf_re(siphost_msg* msg, const siphost_value*, void* call_data) {
    return remove_matching(msg, *static_cast<const posix_regex*>(call_data), nullptr);
}

/// remove_hf_exp's two regexes.
struct match_and_skip {
    std::unique_ptr<posix_regex> match;
    std::unique_ptr<posix_regex> skip;
};

std::unique_ptr<match_and_skip> fix_remove_hf_exp(const siphost_value* args, const int* constant) {
    auto both = std::make_unique<match_and_skip>();
    both->match = compile_constant_regex(sdk::arg_view(args[0]), constant, 0);
    both->skip = compile_constant_regex(sdk::arg_view(args[1]), constant, 1);
    return both;
}

int cmd_remove_hf_exp(siphost_msg* msg, const siphost_value*, void* call_data) {
    const auto& both = *static_cast<const match_and_skip*>(call_data);
    return remove_matching(msg, *both.match, both.skip.get());
}

/// One search_hf() call site: the header, the regex on its values and which lines to look at.
struct header_search {
    std::string name;
    std::unique_ptr<posix_regex> regex;
    char which; // 'a' every line, 'f' the first, 'l' the last
};

std::unique_ptr<header_search> fix_search_hf(const siphost_value* args, const int* constant) {
    fix_header_name(args, constant, 0);
    if (!constant[0])
        throw sdk::config_error("search_hf: the header name must be a constant (as in Kamailio)");
    std::string_view which = sdk::arg_view(args[2]);
    if (!constant[2] || which.size() != 1 || (which[0] != 'a' && which[0] != 'f' && which[0] != 'l'))
        throw sdk::config_error("search_hf: the flags must be \"a\" (every line), \"f\" (the first) or \"l\" "
                                "(the last)");
    auto search = std::make_unique<header_search>();
    search->name = sdk::trim(sdk::arg_view(args[0]));
    search->regex = compile_constant_regex(sdk::arg_view(args[1]), constant, 1);
    search->which = which[0];
    return search;
}

int cmd_search_hf(siphost_msg* msg, const siphost_value*, void* call_data) {
    const auto& search = *static_cast<const header_search*>(call_data);
    siphost_str first{nullptr, 0};
    if (host_->msg_header(msg, sdk::str(search.name), 0, &first) != 1)
        return -1;
    std::vector<std::string_view> values; // the lines of that header, full and compact names alike
    for (const header_line& line : header_lines(msg))
        if (line.first_of_kind == first.s)
            values.push_back(line.value);
    if (search.which == 'f')
        values.resize(std::min<size_t>(values.size(), 1));
    else if (search.which == 'l' && !values.empty())
        values.erase(values.begin(), values.end() - 1);
    regex_match match;
    for (std::string_view value : values)
        if (search.regex->search(value, 0, match))
            return 1;
    return -1;
}

// ---- lines for the request's URI and for the reply ----

/// append_urihf's prefix and suffix: Kamailio takes both as they are written, without pseudo-variables.
struct uri_header_parts {
    std::string prefix;
    std::string suffix;
};

std::unique_ptr<uri_header_parts> fix_append_urihf(const siphost_value* args, const int* constant) {
    if (!constant[0] || !constant[1])
        throw sdk::config_error("append_urihf: prefix and suffix are taken as written; Kamailio expands no "
                                "pseudo-variables in them");
    return std::make_unique<uri_header_parts>(
        uri_header_parts{std::string(sdk::arg_view(args[0])), std::string(sdk::arg_view(args[1]))});
}

int cmd_append_urihf(siphost_msg* msg, const siphost_value*, void* call_data) {
    if (!host_->msg_is_request(msg))
        return -1;
    const auto& parts = *static_cast<const uri_header_parts*>(call_data);
    std::string line = parts.prefix + std::string(sdk::view(host_->msg_original_ruri(msg))) + parts.suffix;
    return host_->msg_add_header(msg, sdk::str(line), SIPHOST_HDR_BOTTOM, siphost_str{nullptr, 0}) == 0 ? 1
                                                                                                        : -1;
}

std::unique_ptr<int> fix_append_to_reply(const siphost_value* args, const int* constant) {
    if (constant[0] && sdk::arg_view(args[0]).empty())
        throw sdk::config_error("append_to_reply: the header line is empty");
    return nullptr;
}

int cmd_append_to_reply(siphost_msg* msg, const siphost_value* args, void*) {
    std::string_view line = sdk::arg_view(args[0]);
    if (line.empty()) {
        sdk::log(host_, self_, SIPHOST_LOG_ERR, "append_to_reply: the header line is empty");
        return -1;
    }
    return host_->msgctx->add_reply_header(msg, sdk::str(line)) == 0 ? 1 : -1;
}

int cmd_append_time(siphost_msg* msg, const siphost_value*, void*) {
    std::time_t now = std::time(nullptr);
    std::tm utc{};
    if (gmtime_r(&now, &utc) == nullptr)
        return -1;
    // The names are English whatever the locale, as RFC 3261's SIP-date requires.
    static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char line[64];
    int n = std::snprintf(line, sizeof line, "Date: %s, %02d %s %04d %02d:%02d:%02d GMT\r\n",
                          days[utc.tm_wday], utc.tm_mday, months[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour,
                          utc.tm_min, utc.tm_sec);
    if (n <= 0 || static_cast<size_t>(n) >= sizeof line)
        return -1;
    return host_->msgctx->add_reply_header(msg, siphost_str{line, static_cast<size_t>(n)}) == 0 ? 1 : -1;
}

// ---- regex search and replace ----

std::unique_ptr<posix_regex> fix_search(const siphost_value* args, const int* constant) {
    if (!constant[0])
        throw sdk::config_error("the regular expression must be a constant string (no pseudo-variables)");
    return std::make_unique<posix_regex>(std::string(sdk::arg_view(args[0])), search_flags);
}

int cmd_search(siphost_msg* msg, const siphost_value*, void* call_data) {
    regex_match match;
    return static_cast<const posix_regex*>(call_data)->search(sdk::view(host_->msg_raw(msg)), 0, match) ? 1
                                                                                                        : -1;
}

int cmd_search_append(siphost_msg* msg, const siphost_value* args, void* call_data) {
    std::string_view raw = sdk::view(host_->msg_raw(msg));
    regex_match match;
    if (!static_cast<const posix_regex*>(call_data)->search(raw, 0, match))
        return -1;
    std::string_view text = sdk::arg_view(args[1]);
    return host_->msg_replace(msg, static_cast<size_t>(match.end[0]), 0, sdk::str(text)) == 0 ? 1 : -1;
}

std::unique_ptr<subst_expression> fix_subst(const siphost_value* args, const int* constant) {
    if (!constant[0])
        throw sdk::config_error("subst: the expression must be a constant string (no pseudo-variables)");
    return std::make_unique<subst_expression>(sdk::arg_view(args[0]));
}

/// The offset of the body in the received bytes, or npos when the message has none.
size_t body_offset(const siphost_msg* msg) {
    std::string_view raw = sdk::view(host_->msg_raw(msg));
    std::string_view body = sdk::view(host_->msg_body(msg));
    if (body.empty() || body.data() < raw.data() || body.data() + body.size() > raw.data() + raw.size())
        return std::string_view::npos;
    return static_cast<size_t>(body.data() - raw.data());
}

/// Replaces the matches of expression in raw[begin, end) (the first, or every one with the g flag) with
/// their expansion. 1 when one was replaced, -1 when none matched or the host refused the first.
int substitute(siphost_msg* msg, const subst_expression& expression, size_t begin, size_t end) {
    std::string_view raw = sdk::view(host_->msg_raw(msg));
    std::string_view part = raw.substr(begin, end - begin);
    std::string replacement; // per call: a thread_local here made LeakSanitizer's tracer crash at exit
    regex_match match;
    size_t from = 0;
    int replaced = 0;
    while (from <= part.size() && expression.regex().search(part, from, match)) {
        size_t start = static_cast<size_t>(match.start[0]);
        size_t stop = static_cast<size_t>(match.end[0]);
        replacement.clear();
        expression.expand(part, match, replacement);
        if (host_->msg_replace(msg, begin + start, stop - start, sdk::str(replacement)) != 0) {
            sdk::log(host_, self_, SIPHOST_LOG_ERR, "the host refused a replacement (overlapping edit?)");
            return replaced > 0 ? 1 : -1;
        }
        ++replaced;
        if (!expression.global())
            break;
        from = stop > start ? stop : stop + 1; // an empty match must still move on
    }
    return replaced > 0 ? 1 : -1;
}

int cmd_subst(siphost_msg* msg, const siphost_value*, void* call_data) {
    return substitute(msg, *static_cast<const subst_expression*>(call_data), 0, host_->msg_raw(msg).len);
}

int cmd_subst_body(siphost_msg* msg, const siphost_value*, void* call_data) {
    size_t begin = body_offset(msg);
    if (begin == std::string_view::npos)
        return -1;
    return substitute(msg, *static_cast<const subst_expression*>(call_data), begin, host_->msg_raw(msg).len);
}

/// Applies expression to text (the first match, or every one with g); false when nothing matched or a match
/// was empty.
bool substitute_text(const subst_expression& expression, std::string_view text_view, std::string& out) {
    // A copy ending in NUL: the URI may lie in the host's edit buffer without one after it, and regexec's
    // sanitizer interceptor reads up to a NUL whatever REG_STARTEND says.
    const std::string text(text_view);
    out.clear();
    regex_match match;
    size_t from = 0;
    size_t copied = 0;
    bool replaced = false;
    while (from <= text.size() && expression.regex().search(text, from, match)) {
        size_t start = static_cast<size_t>(match.start[0]);
        size_t stop = static_cast<size_t>(match.end[0]);
        if (stop == start) { // Kamailio refuses an empty match here ("invalid regexp?"), measured on 5.6.3
            sdk::log(host_, self_, SIPHOST_LOG_ERR,
                     "the expression matched an empty string: nothing replaced (as Kamailio refuses it)");
            return false;
        }
        out.append(text.substr(copied, start - copied));
        expression.expand(text, match, out);
        copied = stop;
        replaced = true;
        if (!expression.global())
            break;
        from = stop > start ? stop : stop + 1;
    }
    out.append(text.substr(std::min(copied, text.size())));
    return replaced;
}

int cmd_subst_uri(siphost_msg* msg, const siphost_value*, void* call_data) {
    if (!host_->msg_is_request(msg))
        return -1;
    std::string uri;
    if (!substitute_text(*static_cast<const subst_expression*>(call_data), sdk::view(host_->msg_ruri(msg)),
                         uri))
        return -1;
    return host_->msg_set_ruri(msg, sdk::str(uri)) == 0 ? 1 : -1;
}

int cmd_subst_user(siphost_msg* msg, const siphost_value*, void* call_data) {
    if (!host_->msg_is_request(msg))
        return -1;
    std::string_view ruri = sdk::view(host_->msg_ruri(msg));
    siphost_uri parsed = sdk::sized<siphost_uri>();
    if (!sdk::parse_uri(host_, ruri, parsed) || parsed.scheme_text.len == 0)
        return -1;
    std::string_view user = sdk::view(parsed.user);
    std::string new_user;
    if (!substitute_text(*static_cast<const subst_expression*>(call_data), user, new_user))
        return -1;
    // A URI without a user never gets here: only an empty match could match its user, and that is refused.
    size_t user_begin = static_cast<size_t>(user.data() - ruri.data());
    size_t user_end = user_begin + user.size();
    size_t at = ruri.find('@', user_end);
    if (at == std::string_view::npos)
        return -1;
    std::string uri(ruri.substr(0, user_begin));
    uri += new_user;
    // Keep ":password@"; with no user left, no '@' either.
    uri += new_user.empty() && at == user_end ? std::string_view() : ruri.substr(user_end, at + 1 - user_end);
    uri += ruri.substr(at + 1);
    return host_->msg_set_ruri(msg, sdk::str(uri)) == 0 ? 1 : -1;
}

// ---- replace: a regex and a text taken as written ----

/// One replace*() call site: the regex, and the text (Kamailio expands no pseudo-variables in it).
struct replacement_spec {
    std::unique_ptr<posix_regex> regex;
    std::string text;
};

std::unique_ptr<replacement_spec> fix_replace(const siphost_value* args, const int* constant) {
    if (!constant[0] || !constant[1])
        throw sdk::config_error(
            "the regular expression and the text are taken as written: Kamailio expands no "
            "pseudo-variables in them");
    auto spec = std::make_unique<replacement_spec>();
    spec->regex = std::make_unique<posix_regex>(std::string(sdk::arg_view(args[0])), search_flags);
    spec->text = sdk::arg_view(args[1]);
    return spec;
}

/// Replaces the first match (or every one) of the regex in raw[begin, end) with the text.
int replace_matches(siphost_msg* msg, const replacement_spec& spec, size_t begin, bool every) {
    std::string_view raw = sdk::view(host_->msg_raw(msg));
    if (begin == std::string_view::npos)
        return -1;
    std::string_view part = raw.substr(begin);
    regex_match match;
    size_t from = 0;
    int replaced = 0;
    while (from <= part.size() && spec.regex->search(part, from, match)) {
        size_t start = static_cast<size_t>(match.start[0]);
        size_t stop = static_cast<size_t>(match.end[0]);
        if (host_->msg_replace(msg, begin + start, stop - start, sdk::str(spec.text)) != 0) {
            sdk::log(host_, self_, SIPHOST_LOG_ERR, "the host refused a replacement (overlapping edit?)");
            break;
        }
        ++replaced;
        if (!every)
            break;
        from = stop > start ? stop : stop + 1;
    }
    return replaced > 0 ? 1 : -1;
}

int cmd_replace(siphost_msg* msg, const siphost_value*, void* call_data) {
    return replace_matches(msg, *static_cast<const replacement_spec*>(call_data), 0, false);
}
int cmd_replace_all(siphost_msg* msg, const siphost_value*, void* call_data) {
    return replace_matches(msg, *static_cast<const replacement_spec*>(call_data), 0, true);
}
int cmd_replace_body(siphost_msg* msg, const siphost_value*, void* call_data) {
    return replace_matches(msg, *static_cast<const replacement_spec*>(call_data), body_offset(msg), false);
}
int cmd_replace_body_all(siphost_msg* msg, const siphost_value*, void* call_data) {
    return replace_matches(msg, *static_cast<const replacement_spec*>(call_data), body_offset(msg), true);
}

int cmd_set_body(siphost_msg* msg, const siphost_value* args, void*) {
    std::string_view body = sdk::arg_view(args[0]);
    std::string_view content_type = sdk::trim(sdk::arg_view(args[1]));
    if (body.empty() || content_type.empty()) { // Kamailio refuses both with an error line
        sdk::log(host_, self_, SIPHOST_LOG_ERR,
                 body.empty() ? "set_body: the body is empty" : "set_body: the content type is empty");
        return -1;
    }
    size_t begin = body_offset(msg);
    size_t length = host_->msg_body(msg).len;
    if (begin == std::string_view::npos) { // no body: the new one follows the empty line
        begin = host_->msg_raw(msg).len;
        length = 0;
    }
    if (host_->msg_replace(msg, begin, length, sdk::str(body)) != 0) {
        sdk::log(host_, self_, SIPHOST_LOG_ERR, "set_body: the body was changed already");
        return -1;
    }
    host_->msg_remove_header(msg, sdk::str("Content-Type"), -1);
    std::string line = "Content-Type: " + std::string(content_type) + "\r\n";
    return host_->msg_add_header(msg, sdk::str(line), SIPHOST_HDR_BOTTOM, siphost_str{nullptr, 0}) == 0 ? 1
                                                                                                        : -1;
}

int cmd_search_body(siphost_msg* msg, const siphost_value*, void* call_data) {
    std::string_view body = sdk::view(host_->msg_body(msg));
    regex_match match;
    return !body.empty() && static_cast<const posix_regex*>(call_data)->search(body, 0, match) ? 1 : -1;
}

// ---- bodies ----

/// The media type of a Content-Type value, without parameters.
std::string_view media_type(std::string_view content_type) {
    return sdk::trim(content_type.substr(0, content_type.find(';')));
}

int cmd_has_body(siphost_msg* msg, const siphost_value*, void*) {
    return sdk::view(host_->msg_body(msg)).empty() ? -1 : 1;
}

std::unique_ptr<int> fix_has_body_mime(const siphost_value* args, const int* constant) {
    if (constant[0]) {
        std::string_view mime = sdk::trim(sdk::arg_view(args[0]));
        size_t slash = mime.find('/');
        if (slash == std::string_view::npos || slash == 0 || slash + 1 == mime.size())
            throw sdk::config_error("has_body: \"" + std::string(mime) +
                                    "\" is not a type/subtype such as application/sdp");
    }
    return nullptr;
}

int cmd_has_body_mime(siphost_msg* msg, const siphost_value* args, void*) {
    std::string_view body = sdk::view(host_->msg_body(msg));
    if (body.empty())
        return -1;
    std::string_view wanted = sdk::trim(sdk::arg_view(args[0]));
    std::string_view type = media_type(sdk::header(host_, msg, "Content-Type"));
    // No Content-Type with a body means application/sdp to Kamailio (RFC 3261 allows none only for SDP-less
    // bodies, but SIP peers in practice omit it for SDP).
    if (type.empty())
        type = "application/sdp";
    if (sdk::iequals(type, wanted))
        return 1;
    if (type.size() < 10 || !sdk::iequals(type.substr(0, 10), "multipart/"))
        return -1;
    // A multipart body: look for a part whose own Content-Type is the one wanted.
    size_t at = 0;
    while (at < body.size()) {
        size_t line_end = body.find('\n', at);
        std::string_view line =
            body.substr(at, line_end == std::string_view::npos ? std::string_view::npos : line_end - at);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        size_t colon = line.find(':');
        if (colon != std::string_view::npos &&
            sdk::iequals(sdk::trim(line.substr(0, colon)), "Content-Type") &&
            sdk::iequals(media_type(line.substr(colon + 1)), wanted))
            return 1;
        if (line_end == std::string_view::npos)
            break;
        at = line_end + 1;
    }
    return -1;
}

// ---- string tests ----

int cmd_cmp_str(siphost_msg*, const siphost_value* args, void*) {
    return compare_strings(sdk::arg_view(args[0]), sdk::arg_view(args[1]), false);
}
int cmd_cmp_istr(siphost_msg*, const siphost_value* args, void*) {
    return compare_strings(sdk::arg_view(args[0]), sdk::arg_view(args[1]), true);
}
int cmd_starts_with(siphost_msg*, const siphost_value* args, void*) {
    return starts_with(sdk::arg_view(args[0]), sdk::arg_view(args[1]));
}
int cmd_ends_with(siphost_msg*, const siphost_value* args, void*) {
    return ends_with(sdk::arg_view(args[0]), sdk::arg_view(args[1]));
}
int cmd_str_find(siphost_msg*, const siphost_value* args, void*) {
    return find_string(sdk::arg_view(args[0]), sdk::arg_view(args[1]));
}
int cmd_str_ifind(siphost_msg*, const siphost_value* args, void*) {
    return ifind_string(sdk::arg_view(args[0]), sdk::arg_view(args[1]));
}

/// The separator of one in_list() call site: Kamailio takes one constant character.
struct list_separator {
    char separator;
};

std::unique_ptr<list_separator> fix_in_list(const siphost_value* args, const int* constant) {
    std::string_view separator = sdk::arg_view(args[2]);
    if (!constant[2] || separator.size() != 1)
        throw sdk::config_error("the separator must be one constant character, such as \",\"");
    return std::make_unique<list_separator>(list_separator{separator[0]});
}

int list_check(const siphost_value* args, void* call_data, const char* function,
               bool (*check)(std::string_view, std::string_view, char) noexcept) {
    std::string_view subject = sdk::arg_view(args[0]);
    if (subject.empty()) { // Kamailio refuses it with an error line too
        sdk::log(host_, self_, SIPHOST_LOG_ERR, std::string(function) + ": the subject is an empty string");
        return -1;
    }
    return check(subject, sdk::arg_view(args[1]), static_cast<const list_separator*>(call_data)->separator)
               ? 1
               : -1;
}

int cmd_in_list(siphost_msg*, const siphost_value* args, void* call_data) {
    return list_check(args, call_data, "in_list", &in_list);
}
int cmd_in_list_prefix(siphost_msg*, const siphost_value* args, void* call_data) {
    return list_check(args, call_data, "in_list_prefix", &in_list_prefix);
}

/// search_str's regex when it is a constant, compiled once; a bad one is kept as its error, since Kamailio
/// compiles it at each call and returns -2 then.
struct constant_search {
    std::unique_ptr<posix_regex> regex;
    std::string error;
};

std::unique_ptr<constant_search> fix_search_str(const siphost_value* args, const int* constant) {
    std::string_view pattern = sdk::arg_view(args[1]);
    if (!constant[1] || pattern.empty())
        return nullptr;
    auto search = std::make_unique<constant_search>();
    try {
        search->regex = std::make_unique<posix_regex>(std::string(pattern), search_flags);
    } catch (const sdk::config_error& e) {
        search->error = e.what();
        sdk::log(host_, self_, SIPHOST_LOG_WARN, "search_str: " + search->error + " (the call returns -2)");
    }
    return search;
}

int cmd_search_str(siphost_msg*, const siphost_value* args, void* call_data) {
    std::string_view text = sdk::arg_view(args[0]);
    std::string_view pattern = sdk::arg_view(args[1]);
    if (pattern.empty())
        return 2; // nothing to look for, even in an empty text: Kamailio 5.6.3 says true (measured)
    if (text.empty())
        return -2;
    const auto* search = static_cast<const constant_search*>(call_data);
    std::unique_ptr<posix_regex> compiled;
    const posix_regex* regex = search != nullptr ? search->regex.get() : nullptr;
    if (search != nullptr && regex == nullptr) {
        sdk::log(host_, self_, SIPHOST_LOG_ERR, "search_str: " + search->error);
        return -2;
    }
    if (regex == nullptr) {
        try {
            compiled = std::make_unique<posix_regex>(std::string(pattern), search_flags);
        } catch (const sdk::config_error& e) {
            sdk::log(host_, self_, SIPHOST_LOG_ERR, std::string("search_str: ") + e.what());
            return -2;
        }
        regex = compiled.get();
    }
    regex_match match;
    return regex->search(text, 0, match) ? 1 : -1;
}

/// get_body_part's text: a multipart body's first part of the wanted type, from after that part's
/// Content-Type line to the next boundary delimiter (its CRLF included), as Kamailio 5.6.3 returns it
/// (measured: the part's other header lines come along when they follow the Content-Type line). A body that
/// is not multipart is returned whole, whatever the type asked for (measured too). Empty when none matches.
std::optional<std::string_view> body_part(const siphost_msg* msg, std::string_view wanted) {
    std::string_view body = sdk::view(host_->msg_body(msg));
    if (body.empty())
        return std::nullopt;
    std::string_view content_type = sdk::header(host_, msg, "Content-Type");
    std::string_view type = media_type(content_type);
    if (type.size() < 10 || !sdk::iequals(type.substr(0, 10), "multipart/"))
        return body;
    size_t semicolon = content_type.find(';');
    std::string_view boundary;
    if (semicolon == std::string_view::npos ||
        !sdk::param(host_, content_type.substr(semicolon + 1), "boundary", &boundary) || boundary.empty())
        return std::nullopt;
    if (boundary.size() >= 2 && boundary.front() == '"' && boundary.back() == '"')
        boundary = boundary.substr(1, boundary.size() - 2);
    std::string delimiter = "--" + std::string(boundary);
    size_t at = body.find(delimiter);
    while (at != std::string_view::npos) {
        size_t part_begin = body.find('\n', at);
        if (part_begin == std::string_view::npos)
            break;
        ++part_begin;
        size_t part_end = body.find(delimiter, part_begin);
        if (part_end == std::string_view::npos)
            break;
        // The part's header lines, up to its empty line.
        for (size_t line_begin = part_begin; line_begin < part_end;) {
            size_t line_end = body.find('\n', line_begin);
            if (line_end == std::string_view::npos || line_end >= part_end)
                break;
            std::string_view line = body.substr(line_begin, line_end - line_begin);
            if (!line.empty() && line.back() == '\r')
                line.remove_suffix(1);
            if (line.empty())
                break;
            size_t colon = line.find(':');
            if (colon != std::string_view::npos &&
                sdk::iequals(sdk::trim(line.substr(0, colon)), "Content-Type") &&
                sdk::iequals(media_type(line.substr(colon + 1)), wanted))
                return body.substr(line_end + 1, part_end - line_end - 1);
            line_begin = line_end + 1;
        }
        at = part_end;
    }
    return std::nullopt;
}

std::unique_ptr<sdk::parsed_pv> fix_get_body_part(const siphost_value* args, const int*) {
    return std::make_unique<sdk::parsed_pv>(host_, sdk::arg_view(args[1]));
}

int cmd_get_body_part(siphost_msg* msg, const siphost_value* args, void* call_data) {
    std::optional<std::string_view> part = body_part(msg, sdk::trim(sdk::arg_view(args[0])));
    if (!part)
        return -1;
    siphost_value value = sdk::str_value(*part);
    return static_cast<const sdk::parsed_pv*>(call_data)->set(msg, &value) == 0 ? 1 : -1;
}

int init(const siphost_host_api* host, siphost_module_handle* self, char*, size_t) {
    host_ = host;
    self_ = self;
    return 0;
}

constexpr uint32_t any = SIPHOST_ROUTE_ANY;
// Kamailio refuses these in reply routes and onsend_route; it does not check event_route blocks when it
// reads the config, so siphost accepts them there too (and in tm's branch-failure event).
constexpr uint32_t request_failure_branch = SIPHOST_ROUTE_REQUEST | SIPHOST_ROUTE_FAILURE |
                                            SIPHOST_ROUTE_BRANCH | SIPHOST_ROUTE_BRANCH_FAILURE |
                                            SIPHOST_ROUTE_EVENT;
// subst_uri and subst_user: everywhere but onsend_route (measured), where the R-URI is no longer the
// script's.
constexpr uint32_t not_onsend = SIPHOST_ROUTE_ANY & ~uint32_t{SIPHOST_ROUTE_ONSEND};
using sdk::command;
using sdk::fixup;
using sdk::free_call_data;
using sdk::guarded;

const siphost_command commands[] = {
    command("is_method", any, guarded<&cmd_is_method>, {SIPHOST_ARG_STRING}, fixup<&fix_is_method>,
            free_call_data<method_set>, "the method is one of \"A|B|...\""),
    command("append_hf", any, guarded<&cmd_append_hf>, {SIPHOST_ARG_STRING}, nullptr, nullptr,
            "adds a header line after the last header"),
    command("append_hf", any, guarded<&cmd_append_hf_after>, {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING},
            fixup<&fix_name_second>, nullptr, "adds a header line after the first header of the given name"),
    command("insert_hf", any, guarded<&cmd_insert_hf>, {SIPHOST_ARG_STRING}, nullptr, nullptr,
            "adds a header line before the first header"),
    command("insert_hf", any, guarded<&cmd_insert_hf_before>, {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING},
            fixup<&fix_name_second>, nullptr, "adds a header line before the first header of the given name"),
    command("remove_hf", any, guarded<&cmd_remove_hf>, {SIPHOST_ARG_STRING}, fixup<&fix_name_first>, nullptr,
            "removes every line of a header"),
    command("is_present_hf", any, guarded<&cmd_is_present_hf>, {SIPHOST_ARG_STRING}, fixup<&fix_name_first>,
            nullptr, "the header is present"),
    command("search", any, guarded<&cmd_search>, {SIPHOST_ARG_STRING}, fixup<&fix_search>,
            free_call_data<posix_regex>, "the message matches a regular expression"),
    command("search_append", any, guarded<&cmd_search_append>, {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING},
            fixup<&fix_search>, free_call_data<posix_regex>, "inserts text after the first match of a regex"),
    command("search_body", any, guarded<&cmd_search_body>, {SIPHOST_ARG_STRING}, fixup<&fix_search>,
            free_call_data<posix_regex>, "the body matches a regular expression"),
    command("replace", any, guarded<&cmd_replace>, {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING},
            fixup<&fix_replace>, free_call_data<replacement_spec>,
            "replaces the first match of a regex in the message with a text"),
    command("replace_all", any, guarded<&cmd_replace_all>, {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING},
            fixup<&fix_replace>, free_call_data<replacement_spec>,
            "replaces every match of a regex in the message with a text"),
    command("replace_body", any, guarded<&cmd_replace_body>, {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING},
            fixup<&fix_replace>, free_call_data<replacement_spec>,
            "replaces the first match of a regex in the body with a text"),
    command("replace_body_all", any, guarded<&cmd_replace_body_all>, {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING},
            fixup<&fix_replace>, free_call_data<replacement_spec>,
            "replaces every match of a regex in the body with a text"),
    command("set_body", not_onsend, guarded<&cmd_set_body>, {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, nullptr,
            nullptr, "replaces the body and its Content-Type"),
    command("get_body_part", not_onsend, guarded<&cmd_get_body_part>, {SIPHOST_ARG_STRING, SIPHOST_ARG_PVAR},
            fixup<&fix_get_body_part>, free_call_data<sdk::parsed_pv>,
            "writes the first body part of a content type into a variable"),
    command("subst_body", any, guarded<&cmd_subst_body>, {SIPHOST_ARG_STRING}, fixup<&fix_subst>,
            free_call_data<subst_expression>, "sed-like '/re/replacement/flags' on the body"),
    command("subst_uri", not_onsend, guarded<&cmd_subst_uri>, {SIPHOST_ARG_STRING}, fixup<&fix_subst>,
            free_call_data<subst_expression>, "sed-like '/re/replacement/flags' on the Request-URI"),
    command("subst_user", not_onsend, guarded<&cmd_subst_user>, {SIPHOST_ARG_STRING}, fixup<&fix_subst>,
            free_call_data<subst_expression>, "sed-like '/re/replacement/flags' on the Request-URI's user"),
    command("subst", any, guarded<&cmd_subst>, {SIPHOST_ARG_STRING}, fixup<&fix_subst>,
            free_call_data<subst_expression>, "sed-like '/re/replacement/flags' on the message"),
    command("has_body", any, guarded<&cmd_has_body>, {}, nullptr, nullptr, "the message has a body"),
    command("has_body", any, guarded<&cmd_has_body_mime>, {SIPHOST_ARG_STRING}, fixup<&fix_has_body_mime>,
            nullptr, "the message has a body of the given type/subtype"),
    command("is_present_hf_re", any, guarded<&cmd_is_present_hf_re>, {SIPHOST_ARG_STRING},
            fixup<&fix_header_regex>, free_call_data<posix_regex>,
            "a header whose name matches a regex is present"),
    command("remove_hf_re", any, guarded<&cmd_remove_hf_re>, {SIPHOST_ARG_STRING}, fixup<&fix_header_regex>,
            free_call_data<posix_regex>, "removes the headers whose names match a regex"),
    command("remove_hf_exp", any, guarded<&cmd_remove_hf_exp>, {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING},
            fixup<&fix_remove_hf_exp>, free_call_data<match_and_skip>,
            "removes the headers whose names match the first regex and not the second"),
    command("search_hf", any, guarded<&cmd_search_hf>,
            {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, fixup<&fix_search_hf>,
            free_call_data<header_search>,
            "a regex matches a value of the header (\"a\" every line, \"f\" the first, \"l\" the last)"),
    command("append_urihf", request_failure_branch, guarded<&cmd_append_urihf>,
            {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, fixup<&fix_append_urihf>,
            free_call_data<uri_header_parts>,
            "adds prefix + the received Request-URI + suffix as a header line"),
    command("append_to_reply", request_failure_branch | SIPHOST_ROUTE_ERROR, guarded<&cmd_append_to_reply>,
            {SIPHOST_ARG_STRING}, fixup<&fix_append_to_reply>, nullptr,
            "adds a header line to the reply the host builds for this request"),
    command("append_time", request_failure_branch, guarded<&cmd_append_time>, {}, nullptr, nullptr,
            "adds a Date header line (now, GMT) to the reply the host builds for this request"),
    command("cmp_str", any, guarded<&cmd_cmp_str>, {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, nullptr, nullptr,
            "1 when equal (case-sensitive), -2 when the first sorts before, -1 after"),
    command("cmp_istr", any, guarded<&cmd_cmp_istr>, {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, nullptr,
            nullptr, "1 when equal without regard to case, -2 when the first sorts before, -1 after"),
    command("starts_with", any, guarded<&cmd_starts_with>, {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, nullptr,
            nullptr, "the first string begins with the second"),
    command("ends_with", any, guarded<&cmd_ends_with>, {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, nullptr,
            nullptr, "the first string ends with the second"),
    command("str_find", any, guarded<&cmd_str_find>, {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, nullptr,
            nullptr, "the 1-based position of the second string in the first (case-sensitive), or -1"),
    command("str_ifind", any, guarded<&cmd_str_ifind>, {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, nullptr,
            nullptr, "the 1-based position of the second string in the first (any case), or -1"),
    command("in_list", any, guarded<&cmd_in_list>,
            {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, fixup<&fix_in_list>,
            free_call_data<list_separator>, "the subject is an item of the list"),
    command("in_list_prefix", any, guarded<&cmd_in_list_prefix>,
            {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING, SIPHOST_ARG_STRING}, fixup<&fix_in_list>,
            free_call_data<list_separator>, "an item of the list begins the subject"),
    command("search_str", any, guarded<&cmd_search_str, -2>, {SIPHOST_ARG_STRING, SIPHOST_ARG_STRING},
            fixup<&fix_search_str>, free_call_data<constant_search>,
            "the text matches a regular expression (POSIX extended, case-insensitive)"),
    sdk::end_of_commands(),
};

const siphost_module descriptor = sdk::module(module_name, "1.0", commands, nullptr, nullptr, init);

} // namespace
} // namespace siphost::modules::textops

SIPHOST_MODULE(siphost::modules::textops::descriptor)

#include "flow/send_lines.hpp"

#include "flow/runtime.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace siphost::flow {
namespace {

int set(siphost_msg* msg, siphost_send_lines_fn fn, siphost_str data) {
    if (msg == nullptr || fn == nullptr || !msg->sip.is_request())
        return -1;
    auto& all = msg->send_lines;
    auto it = std::find_if(all.begin(), all.end(), [fn](const auto& e) { return e.fn == fn; });
    if (data.len == 0) {
        if (it != all.end())
            all.erase(it);
        return 0;
    }
    if (it == all.end()) {
        // Where a line added on top now would go: after the changes recorded so far, before later ones.
        uint32_t order = static_cast<uint32_t>(msg->sip.edits().edits().size());
        it = all.insert(all.end(), {fn, {}, order});
    }
    it->data.assign(view(data));
    return 0;
}

int get(const siphost_msg* msg, siphost_send_lines_fn fn, siphost_str* data) {
    if (msg == nullptr || fn == nullptr || data == nullptr)
        return 0;
    for (const auto& e : msg->send_lines)
        if (e.fn == fn) {
            *data = to_str(e.data);
            return 1;
        }
    return 0;
}

const siphost_send_lines_v1 table = {sizeof(siphost_send_lines_v1), set, get};

} // namespace

const siphost_send_lines_v1* send_lines_table() {
    return &table;
}

sip::write_result write_request_from(const siphost_msg& msg, const net::listening_socket& from,
                                     std::string_view branch, std::span<char> out) {
    sip::via_spec via{via_transport(from.proto), from.host, from.port, branch, {}};
    // The path vector of the Request-URI's branch (registrar's lookup()) leaves as a Route header.
    thread_local std::string path_route;
    path_route.clear();
    if (!msg.ruri_branch.path.empty())
        path_route.append("Route: ").append(msg.ruri_branch.path).append("\r\n");
    if (msg.send_lines.empty())
        return sip::write_forwarded_request(msg.sip, via, out, {}, path_route);
    thread_local std::vector<std::string> texts;
    std::vector<sip::send_time_lines> lines;
    texts.resize(std::max(texts.size(), msg.send_lines.size()));
    for (size_t i = 0; i < msg.send_lines.size(); ++i) {
        const auto& entry = msg.send_lines[i];
        std::string& text = texts[i];
        text.resize(std::max<size_t>(text.capacity(), 512));
        size_t len = 0;
        int rc = entry.fn(&msg, to_handle(&from), to_str(entry.data), text.data(), text.size(), &len);
        if (rc != 0 && len > text.size()) {
            text.resize(len);
            rc = entry.fn(&msg, to_handle(&from), to_str(entry.data), text.data(), text.size(), &len);
        }
        if (rc != 0 || len > text.size())
            return {sip::write_status::bad_argument, 0};
        text.resize(len);
        lines.push_back({text, entry.order});
    }
    return sip::write_forwarded_request(msg.sip, via, out, lines, path_route);
}

} // namespace siphost::flow

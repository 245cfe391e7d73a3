// The message context sub-table: what a message carries besides its bytes.
#include "abi/host_table.hpp"
#include "message/message_context.hpp"
#include "plugin/loaded_module.hpp"

#include "sip/serializer.hpp"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace siphost::abi {
namespace {

using flow::from_handle;
using flow::to_handle;
using flow::to_str;
using flow::view;

/// Slots registered at init: the destructor of each, by slot number. Fixed once the workers run.
struct slot_registry {
    std::mutex mutex;
    std::vector<void (*)(void*)> destructors;
};
slot_registry& slots() {
    static slot_registry registry;
    return registry;
}

uint64_t msg_id(const siphost_msg* msg) {
    return msg == nullptr ? 0 : msg->id;
}

int slot_register(siphost_module_handle* self, void (*destroy)(void*)) {
    if (self == nullptr)
        return -1;
    auto& registry = slots();
    std::lock_guard lock(registry.mutex);
    registry.destructors.push_back(destroy);
    return static_cast<int>(registry.destructors.size() - 1);
}

void* slot_get(const siphost_msg* msg, int slot) {
    if (msg == nullptr || slot < 0 || static_cast<size_t>(slot) >= msg->slots.size())
        return nullptr;
    return msg->slots[static_cast<size_t>(slot)].value;
}

int slot_set(siphost_msg* msg, int slot, void* value) {
    auto& registry = slots();
    if (msg == nullptr || slot < 0 || static_cast<size_t>(slot) >= registry.destructors.size())
        return -1;
    auto index = static_cast<size_t>(slot);
    if (msg->slots.size() <= index)
        msg->slots.resize(registry.destructors.size());
    auto& current = msg->slots[index];
    if (current.value != nullptr && current.value != value && current.destroy != nullptr)
        current.destroy(current.value);
    current.value = value;
    current.destroy = registry.destructors[index];
    return 0;
}

uint32_t route_type(const siphost_msg* msg) {
    return msg == nullptr ? 0 : msg->route_type;
}

void set_error(siphost_msg* msg, int code, siphost_str reason) {
    if (msg == nullptr)
        return;
    msg->error_code = code;
    msg->error_reason.assign(code == 0 ? std::string_view() : view(reason));
}

int last_error(const siphost_msg* msg, siphost_str* reason) {
    if (msg == nullptr)
        return 0;
    if (reason != nullptr)
        *reason = msg->error_code == 0 ? siphost_str{nullptr, 0} : to_str(msg->error_reason);
    return msg->error_code;
}

int add_reply_header(siphost_msg* msg, siphost_str line) {
    if (msg == nullptr || line.len == 0 || !msg->sip.is_request())
        return -1;
    msg->reply_headers.append(view(line));
    if (!msg->reply_headers.ends_with("\r\n"))
        msg->reply_headers += "\r\n";
    return 0;
}

siphost_str reply_headers(const siphost_msg* msg) {
    return msg == nullptr ? siphost_str{nullptr, 0} : to_str(msg->reply_headers);
}

/// A branch's attributes beyond its URI, destination, flags and socket (what the R-URI's branch keeps too).
void copy_attrs_in(const siphost_branch& b, siphost_msg::target& t) {
    t.path.assign(view(b.path));
    t.instance.assign(view(b.instance));
    t.ruid.assign(view(b.ruid));
    t.q = b.q;
    t.info = b.info;
    t.reg_id = b.reg_id;
}
void copy_attrs_out(const siphost_msg::target& t, siphost_branch& b) {
    b.path = to_str(t.path);
    b.instance = to_str(t.instance);
    b.ruid = to_str(t.ruid);
    b.q = t.q;
    b.info = t.info;
    b.reg_id = t.reg_id;
}

int append_branch(siphost_msg* msg, const siphost_branch* b) {
    if (msg == nullptr || b == nullptr || b->struct_size < offsetof(siphost_branch, reserved))
        return -1;
    siphost_msg::target t;
    t.uri.assign(view(b->uri));
    t.dst_uri.assign(view(b->dst_uri));
    copy_attrs_in(*b, t);
    t.flags = b->flags;
    t.socket = from_handle(b->socket);
    return msg->append_branch(std::move(t));
}

int branch_at(const siphost_msg* msg, uint32_t index, siphost_branch* out) {
    if (msg == nullptr || out == nullptr || index >= msg->branches.size() ||
        out->struct_size < offsetof(siphost_branch, reserved))
        return -1;
    const auto& t = msg->branches[index];
    out->uri = to_str(t.uri);
    out->dst_uri = to_str(t.dst_uri);
    copy_attrs_out(t, *out);
    out->flags = t.flags;
    out->socket = to_handle(t.socket);
    return 0;
}

uint32_t branch_count(const siphost_msg* msg) {
    return msg == nullptr ? 0 : static_cast<uint32_t>(msg->branches.size());
}

void clear_branches(siphost_msg* msg) {
    if (msg != nullptr)
        msg->branches.clear();
}

int branch_flags(const siphost_msg* msg, uint32_t index, uint64_t* flags) {
    if (msg == nullptr || flags == nullptr || index > msg->branches.size())
        return -1;
    *flags = index == 0 ? msg->ruri_branch_flags : msg->branches[index - 1].flags;
    return 0;
}

int set_branch_flags(siphost_msg* msg, uint32_t index, uint64_t flags) {
    if (msg == nullptr || index > msg->branches.size())
        return -1;
    (index == 0 ? msg->ruri_branch_flags : msg->branches[index - 1].flags) = flags;
    return 0;
}

void write_error(char* err, size_t err_size, std::string_view text) {
    if (err == nullptr || err_size == 0)
        return;
    auto n = std::min(text.size(), err_size - 1);
    std::memcpy(err, text.data(), n);
    err[n] = '\0';
}

int apply_changes(siphost_msg* msg, char* err, size_t err_size) {
    if (msg == nullptr) {
        write_error(err, err_size, "no message");
        return -1;
    }
    if (msg->sip.edits().empty())
        return 0;
    std::string bytes(msg->sip.raw().size() + 1024, '\0');
    auto written = sip::write_message(msg->sip, bytes);
    if (written.status == sip::write_status::too_small) {
        bytes.resize(written.size);
        written = sip::write_message(msg->sip, bytes);
    }
    if (!written.ok()) {
        write_error(err, err_size,
                    written.status == sip::write_status::conflicting_edits
                        ? "the recorded changes overlap each other"
                        : "the message with its changes cannot be written");
        return -1;
    }
    sip::message reparsed;
    auto parsed = reparsed.parse_copy(std::string_view(bytes.data(), written.size));
    if (!parsed.ok()) {
        write_error(err, err_size, "the changed message does not parse as SIP");
        return -1;
    }
    msg->sip = std::move(reparsed);
    return 0;
}

uint32_t send_flags(const siphost_msg* msg, int replies) {
    if (msg == nullptr)
        return 0;
    return replies != 0 ? msg->reply_send_flags : msg->forward_send_flags;
}

int set_ruri_branch(siphost_msg* msg, const siphost_branch* attrs) {
    if (msg == nullptr || attrs == nullptr || attrs->struct_size < offsetof(siphost_branch, reserved) ||
        !msg->sip.is_request())
        return -1;
    copy_attrs_in(*attrs, msg->ruri_branch);
    if (attrs->socket != nullptr)
        msg->send_socket = from_handle(attrs->socket);
    return 0;
}

int ruri_branch(const siphost_msg* msg, siphost_branch* out) {
    if (msg == nullptr || out == nullptr || out->struct_size < offsetof(siphost_branch, reserved))
        return -1;
    out->uri = msg->sip.is_request() ? to_str(msg->sip.current_request_uri()) : siphost_str{nullptr, 0};
    out->dst_uri = to_str(msg->dst_uri);
    copy_attrs_out(msg->ruri_branch, *out);
    out->flags = msg->ruri_branch_flags;
    out->socket = to_handle(msg->send_socket);
    return 0;
}

} // namespace

const siphost_msgctx_api* msgctx_table() {
    static const siphost_msgctx_api table = [] {
        siphost_msgctx_api t{};
        t.struct_size = sizeof t;
        t.msg_id = msg_id;
        t.slot_register = slot_register;
        t.slot_get = slot_get;
        t.slot_set = slot_set;
        t.route_type = route_type;
        t.set_error = set_error;
        t.last_error = last_error;
        t.add_reply_header = add_reply_header;
        t.reply_headers = reply_headers;
        t.append_branch = append_branch;
        t.branch_at = branch_at;
        t.branch_count = branch_count;
        t.clear_branches = clear_branches;
        t.branch_flags = branch_flags;
        t.set_branch_flags = set_branch_flags;
        t.apply_changes = apply_changes;
        t.send_flags = send_flags;
        t.set_ruri_branch = set_ruri_branch;
        t.ruri_branch = ruri_branch;
        return t;
    }();
    return &table;
}

} // namespace siphost::abi

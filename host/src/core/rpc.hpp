#pragma once
// RPC (control) commands as modules declare them (siphost_rpc_command) and the replies they build: a tree of
// lists, structs and arrays of integers, doubles and strings, as Kamailio's RPC interface has. The control
// transports (binrpc for kamcmd, JSON-RPC) serialise this tree; tests read it in-process.

#include <siphost/module.h>

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

struct siphost_rpc_node;

namespace siphost::core {

/// One member of a reply node: a scalar or a nested node.
struct rpc_value {
    std::variant<int64_t, double, std::string, std::unique_ptr<siphost_rpc_node>> data;
};

} // namespace siphost::core

/// A list (the reply's top level), a struct (members named) or an array (members unnamed).
struct siphost_rpc_node {
    enum class kind : uint8_t { list, structure, array };
    kind type = kind::list;
    std::vector<std::pair<std::string, siphost::core::rpc_value>> members; ///< key empty outside structs
};

/// One call in progress: its parameters, the reply being built, or the fault.
struct siphost_rpc_call {
    std::string name; ///< the command called
    bool ran = false; ///< a call runs once
    std::vector<siphost_value> params;
    std::deque<std::string> param_text; ///< owns the params' strings
    siphost_rpc_node result;
    int fault_code = 0; ///< 0: no fault
    std::string fault_message;
};

namespace siphost::core {

/// A parameter given to a call: an integer, a string or a double (which handlers read as its text).
using rpc_param = std::variant<int64_t, std::string, double>;

/// Appends a parameter to a call that has not run.
void add_param(siphost_rpc_call& call, const rpc_param& param);

class rpc_registry {
public:
    struct command {
        std::string module;
        const siphost_rpc_command* declared;
    };

    static rpc_registry& instance();

    /// Adds a module's command; false with a reason when the name is taken.
    bool add(std::string module, const siphost_rpc_command* declared, std::string& error);
    /// The command called name, or nullptr.
    const command* find(std::string_view name) const;
    /// Every command name, sorted.
    std::vector<std::string> names() const;
    /// The index-th command in name order, or nullptr past the end.
    const command* at(size_t index) const;
    /// Runs a command on the calling thread. An unknown name is a fault (500, as Kamailio answers).
    std::unique_ptr<siphost_rpc_call> call(std::string_view name, const std::vector<rpc_param>& params) const;
    /// Runs a call built with add_param (its name set); returns the fault code, 0 on success.
    int run(siphost_rpc_call& call) const;
    /// Forgets a module's commands (its handlers go with it).
    void remove_module(std::string_view module);
    void reset();

private:
    mutable std::mutex mutex_;
    /// Sorted by name; entries never move, so find() and at() hand out stable pointers.
    std::map<std::string, command, std::less<>> commands_;
};

/// The reply as compact JSON-like text ({"k": 1, ...} for structs, [..] for lists and arrays), or
/// "fault CODE: message": for tests and logs.
std::string to_text(const siphost_rpc_call& call);

} // namespace siphost::core

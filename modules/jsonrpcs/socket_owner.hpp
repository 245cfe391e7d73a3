#pragma once
// Who owns a control file (the FIFO, the datagram socket) and with what permissions: Kamailio's *_mode,
// *_user and *_group parameters. Users and groups are names or numbers; -1 keeps the process's.

#include <string>
#include <sys/types.h>

namespace siphost::modules::jsonrpcs {

struct socket_owner {
    int mode = 0600; ///< owner-only unless the config says otherwise
    std::string user;
    std::string group;

    /// A mode as the config gives it (0660 is octal there, as in Kamailio) fits chmod's bits.
    static bool valid_mode(int value);

    /// Applies mode, user and group to path; false with a reason.
    bool apply(const std::string& path, std::string& error) const;
};

/// A user name or number to a uid; false when there is no such user.
bool resolve_user(const std::string& name, uid_t& uid);
/// A group name or number to a gid; false when there is no such group.
bool resolve_group(const std::string& name, gid_t& gid);

} // namespace siphost::modules::jsonrpcs

#include "socket_owner.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace siphost::modules::jsonrpcs {
namespace {

bool as_number(const std::string& text, unsigned long& out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

} // namespace

bool socket_owner::valid_mode(int value) {
    return value >= 0 && value <= 07777;
}

bool resolve_user(const std::string& name, uid_t& uid) {
    unsigned long number = 0;
    if (as_number(name, number)) {
        uid = static_cast<uid_t>(number);
        return true;
    }
    std::vector<char> buffer(16384);
    passwd entry{};
    passwd* found = nullptr;
    if (getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 || found == nullptr)
        return false;
    uid = found->pw_uid;
    return true;
}

bool resolve_group(const std::string& name, gid_t& gid) {
    unsigned long number = 0;
    if (as_number(name, number)) {
        gid = static_cast<gid_t>(number);
        return true;
    }
    std::vector<char> buffer(16384);
    group entry{};
    group* found = nullptr;
    if (getgrnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 || found == nullptr)
        return false;
    gid = found->gr_gid;
    return true;
}

bool socket_owner::apply(const std::string& path, std::string& error) const {
    if (::chmod(path.c_str(), static_cast<mode_t>(mode & 07777)) != 0) {
        error = "cannot set mode of " + path + ": " + std::strerror(errno);
        return false;
    }
    uid_t uid = static_cast<uid_t>(-1);
    gid_t gid = static_cast<gid_t>(-1);
    if (!user.empty() && !resolve_user(user, uid)) {
        error = "no such user '" + user + "'";
        return false;
    }
    if (!group.empty() && !resolve_group(group, gid)) {
        error = "no such group '" + group + "'";
        return false;
    }
    if ((!user.empty() || !group.empty()) && ::chown(path.c_str(), uid, gid) != 0) {
        error = "cannot change owner of " + path + ": " + std::strerror(errno);
        return false;
    }
    return true;
}

} // namespace siphost::modules::jsonrpcs

#include "app/process_identity.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <grp.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <vector>

namespace siphost::app {
namespace {

std::string system_error(const std::string& what) {
    return what + ": " + std::strerror(errno);
}

bool as_number(const std::string& text, unsigned long& out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return !text.empty() && ec == std::errc() && end == text.data() + text.size();
}

bool write_number(const std::string& path, long number, std::string& error) {
    std::ofstream file(path, std::ios::trunc);
    file << number << "\n";
    file.close();
    if (!file) {
        error = system_error("cannot write '" + path + "'");
        return false;
    }
    return true;
}

struct identity {
    bool has_user = false;
    uid_t uid = 0;
    gid_t user_gid = 0; ///< the user's primary group, used when -g is not given
    std::string user_name;
    bool has_group = false;
    gid_t gid = 0;
};

bool resolve(const core::command_line& options, identity& who, std::string& error) {
    std::vector<char> buffer(16384);
    if (options.user) {
        passwd entry{};
        passwd* found = nullptr;
        unsigned long number = 0;
        int rc = as_number(*options.user, number)
                     ? getpwuid_r(static_cast<uid_t>(number), &entry, buffer.data(), buffer.size(), &found)
                     : getpwnam_r(options.user->c_str(), &entry, buffer.data(), buffer.size(), &found);
        if (found != nullptr) {
            who.uid = entry.pw_uid;
            who.user_gid = entry.pw_gid;
            who.user_name = entry.pw_name;
        } else if (as_number(*options.user, number) && rc == 0) {
            who.uid = static_cast<uid_t>(number); // a uid without a passwd entry: no groups to add
            who.user_gid = static_cast<gid_t>(-1);
        } else {
            error = "-u " + *options.user + ": no such user";
            return false;
        }
        who.has_user = true;
    }
    if (options.group) {
        group entry{};
        group* found = nullptr;
        unsigned long number = 0;
        if (as_number(*options.group, number)) {
            who.gid = static_cast<gid_t>(number);
        } else if (getgrnam_r(options.group->c_str(), &entry, buffer.data(), buffer.size(), &found) == 0 &&
                   found != nullptr) {
            who.gid = entry.gr_gid;
        } else {
            error = "-g " + *options.group + ": no such group";
            return false;
        }
        who.has_group = true;
    }
    return true;
}

} // namespace

bool enter_working_dir(const core::command_line& options, std::string& error) {
    if (options.working_dir && ::chdir(options.working_dir->c_str()) != 0) {
        error = system_error("-w: cannot change to '" + *options.working_dir + "'");
        return false;
    }
    return true;
}

bool write_pid_files(const core::command_line& options, std::string& error) {
    if (options.pid_file && !write_number(*options.pid_file, ::getpid(), error))
        return false;
    if (options.pgid_file && !write_number(*options.pgid_file, ::getpgrp(), error))
        return false;
    return true;
}

void remove_pid_files(const core::command_line& options) {
    if (options.pid_file)
        ::unlink(options.pid_file->c_str());
    if (options.pgid_file)
        ::unlink(options.pgid_file->c_str());
}

bool drop_privileges(const core::command_line& options, std::string& error) {
    identity who;
    if (!resolve(options, who, error))
        return false;
    if (options.chroot_dir) {
        if (::chroot(options.chroot_dir->c_str()) != 0 || ::chdir("/") != 0) {
            error = system_error("-t: cannot change the root to '" + *options.chroot_dir + "'");
            return false;
        }
    }
    bool set_group = who.has_group || (who.has_user && who.user_gid != static_cast<gid_t>(-1));
    gid_t gid = who.has_group ? who.gid : who.user_gid;
    if (who.has_user && !who.user_name.empty()) {
        if (::initgroups(who.user_name.c_str(), gid) != 0) {
            error = system_error("-u " + *options.user + ": cannot take the user's groups");
            return false;
        }
    } else if (set_group && ::setgroups(1, &gid) != 0) {
        error = system_error("-g: cannot drop the supplementary groups");
        return false;
    }
    if (set_group && ::setgid(gid) != 0) {
        error = system_error("cannot change the group to " + std::to_string(gid));
        return false;
    }
    if (who.has_user && ::setuid(who.uid) != 0) {
        error = system_error("-u " + *options.user + ": cannot change the user");
        return false;
    }
    // A process that changed its user is no longer dumpable: no core file, no debugger, no leak checker can
    // attach. The operator asked for a user, not for that.
    if (who.has_user || set_group)
        ::prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    return true;
}

} // namespace siphost::app

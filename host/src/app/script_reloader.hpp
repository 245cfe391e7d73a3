#pragma once
// Hot reload of the routing script. A reload is asked for from any thread (the siphost.reload RPC on a
// control thread, SIGHUP through the main thread's signal wait) and carried out on the main thread, the one
// that runs fixups and on_reload (docs/abi.md): read the config again through a catalog that loads and
// applies nothing (script/reload.hpp), check it, compile it, then publish the new script to every worker at
// once (script::interpreter::publish). Messages already running finish on the script they started with; the
// old script is freed on the main thread once nothing holds it any more.

#include <condition_variable>
#include <csignal>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <pthread.h>
#include <string>
#include <vector>

#include "script/compiled_script.hpp"

namespace siphost::app {

/// What a reload answered.
struct reload_answer {
    bool ok = false;
    std::string text; ///< on success the new script's summary (and warnings); on refusal every diagnostic
};

/// The queue between the threads that ask for a reload and the main thread that does it. The main thread
/// waits for signals: a request from another thread is queued and the main thread woken with SIGHUP, so one
/// read answers every request queued before it started.
class reload_requests {
public:
    /// Notes the calling thread as the main thread (the one that runs reloads).
    reload_requests();

    /// From any other thread: queues a request, wakes the main thread and waits for the answer. After close()
    /// it answers at once that siphost is stopping.
    reload_answer ask();

    /// On the main thread, after a SIGHUP: runs do_reload once and answers every request queued before it.
    /// do_reload learns whether any request was queued (else the SIGHUP came from outside).
    void serve(const std::function<reload_answer(bool requested)>& do_reload);

    /// Answers every waiting request (siphost is stopping) and refuses later ones, so that no control thread
    /// waits for a main thread that no longer serves.
    void close();

private:
    struct pending {
        bool done = false;
        reload_answer answer;
    };
    std::mutex mutex_;
    std::condition_variable answered_;
    std::vector<std::shared_ptr<pending>> queue_;
    bool closed_ = false;
    pthread_t main_;
};

/// Scripts replaced by reloads, kept until no message holds them, then freed on the main thread (their
/// fixup_free functions run there, before any module is destroyed).
class retired_scripts {
public:
    void add(std::shared_ptr<const script::compiled_script> script);
    /// Frees the scripts nothing else holds; returns how many remain.
    std::size_t reap();
    bool empty() const { return scripts_.empty(); }
    void clear() { scripts_.clear(); }

private:
    std::vector<std::shared_ptr<const script::compiled_script>> scripts_;
};

/// The text of a reload RPC's fault: at most max_bytes (a binrpc reply has a size limit), cut at a line.
std::string reply_text(const std::string& text, std::size_t max_bytes);

} // namespace siphost::app

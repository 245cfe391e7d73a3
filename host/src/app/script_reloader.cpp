#include "app/script_reloader.hpp"

#include <algorithm>

namespace siphost::app {

reload_requests::reload_requests() : main_(pthread_self()) {}

reload_answer reload_requests::ask() {
    auto request = std::make_shared<pending>();
    std::unique_lock lock(mutex_);
    if (closed_)
        return {false, "siphost is stopping: the running script stays until it stops"};
    if (pthread_equal(pthread_self(), main_))
        return {false, "a reload cannot be asked for from the main thread"};
    queue_.push_back(request);
    // Queued before the signal: the main thread takes the queue after it sees the signal, so this request is
    // served by the next read, never missed (signals of one kind merge, requests do not).
    pthread_kill(main_, SIGHUP);
    answered_.wait(lock, [&] { return request->done; });
    return request->answer;
}

void reload_requests::serve(const std::function<reload_answer(bool requested)>& do_reload) {
    std::vector<std::shared_ptr<pending>> taken;
    {
        std::lock_guard lock(mutex_);
        taken.swap(queue_);
    }
    reload_answer answer = do_reload(!taken.empty());
    {
        std::lock_guard lock(mutex_);
        for (auto& request : taken) {
            request->answer = answer;
            request->done = true;
        }
    }
    answered_.notify_all();
}

void reload_requests::close() {
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
        for (auto& request : queue_) {
            request->answer = {false, "siphost is stopping: the running script stays until it stops"};
            request->done = true;
        }
        queue_.clear();
    }
    answered_.notify_all();
}

void retired_scripts::add(std::shared_ptr<const script::compiled_script> script) {
    if (script)
        scripts_.push_back(std::move(script));
}

std::size_t retired_scripts::reap() {
    // use_count 1: only this list holds it, and no thread can take a new reference to a retired script
    // (message scopes copy the published one).
    scripts_.erase(
        std::remove_if(scripts_.begin(), scripts_.end(), [](const auto& s) { return s.use_count() == 1; }),
        scripts_.end());
    return scripts_.size();
}

std::string reply_text(const std::string& text, std::size_t max_bytes) {
    if (text.size() <= max_bytes)
        return text;
    const std::string tail = "\n... (cut here; the log has every line)";
    std::size_t cut = max_bytes > tail.size() ? max_bytes - tail.size() : 0;
    std::size_t line_end = text.rfind('\n', cut);
    if (line_end != std::string::npos && line_end > 0)
        cut = line_end;
    return text.substr(0, cut) + tail;
}

} // namespace siphost::app

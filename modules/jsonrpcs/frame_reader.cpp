#include "frame_reader.hpp"

#include <utility>

namespace siphost::modules::jsonrpcs {

frame_reader::frame_reader(size_t max_size, document_fn on_document, dropped_fn on_dropped)
    : max_size_(max_size), on_document_(std::move(on_document)), on_dropped_(std::move(on_dropped)) {}

void frame_reader::feed(std::string_view bytes) {
    for (char c : bytes) {
        if (stray_) {
            if (c == '\n')
                stray_ = false;
            continue;
        }
        if (!in_document_) {
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
                continue;
            if (c != '{' && c != '[') {
                // Not JSON-RPC: skip the line, so that the next request starts clean.
                stray_ = c != '\n';
                drop("bytes outside a JSON document");
                continue;
            }
            in_document_ = true;
        }
        if (!skipping_) {
            if (buffer_.size() >= max_size_) {
                skipping_ = true;
                buffer_.clear();
                buffer_.shrink_to_fit();
            } else {
                buffer_.push_back(c);
            }
        }
        if (in_string_) {
            if (escaped_)
                escaped_ = false;
            else if (c == '\\')
                escaped_ = true;
            else if (c == '"')
                in_string_ = false;
            continue;
        }
        if (c == '"') {
            in_string_ = true;
        } else if (c == '{' || c == '[') {
            ++depth_;
        } else if (c == '}' || c == ']') {
            if (--depth_ == 0)
                finish();
        }
    }
}

void frame_reader::end_of_stream() {
    if (in_document_)
        drop(skipping_ ? "request too large" : "truncated JSON document");
    stray_ = false;
}

void frame_reader::finish() {
    if (skipping_) {
        drop("request too large");
        return;
    }
    std::string document = std::move(buffer_);
    buffer_.clear();
    in_document_ = false;
    on_document_(document);
}

void frame_reader::drop(std::string_view reason) {
    buffer_.clear();
    depth_ = 0;
    in_document_ = false;
    in_string_ = false;
    escaped_ = false;
    skipping_ = false;
    on_dropped_(reason);
}

} // namespace siphost::modules::jsonrpcs

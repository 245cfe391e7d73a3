#pragma once
// Cuts the FIFO's byte stream into documents, as Kamailio's FIFO transport reads it: a document is one
// top-level object or array, ending where its brackets balance (brackets inside strings do not count).
// It only finds the boundaries; json_request parses each document. A document larger than max_size is
// skipped to its end and reported as dropped, so that one bad writer cannot grow the buffer without bound.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace siphost::modules::jsonrpcs {

class frame_reader {
public:
    /// Called with each complete document.
    using document_fn = std::function<void(std::string_view document)>;
    /// Called for each document dropped (too large, or stray bytes outside any document), with why.
    using dropped_fn = std::function<void(std::string_view reason)>;

    frame_reader(size_t max_size, document_fn on_document, dropped_fn on_dropped);

    /// Feeds bytes as they were read.
    void feed(std::string_view bytes);
    /// The writer went away: a document left incomplete is dropped (truncated).
    void end_of_stream();
    /// Bytes of the document being read.
    size_t pending() const { return buffer_.size(); }

private:
    void finish();
    void drop(std::string_view reason);

    size_t max_size_;
    document_fn on_document_;
    dropped_fn on_dropped_;
    std::string buffer_;
    uint64_t depth_ = 0;
    bool in_document_ = false;
    bool in_string_ = false;
    bool escaped_ = false;
    bool skipping_ = false; ///< too large: reading to its end without keeping it
    bool stray_ = false;    ///< bytes outside a document: skipped to the end of the line
};

} // namespace siphost::modules::jsonrpcs

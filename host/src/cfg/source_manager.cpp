#include "cfg/source_manager.hpp"

namespace siphost::cfg {

source_manager::source_manager() {
    files_.emplace_back();
}

std::uint32_t source_manager::add_file(std::string name, std::string text) {
    file_entry entry{std::move(name), std::move(text), {0}};
    for (std::size_t i = 0; i < entry.text.size(); ++i)
        if (entry.text[i] == '\n')
            entry.line_starts.push_back(i + 1);
    files_.push_back(std::move(entry));
    return static_cast<std::uint32_t>(files_.size() - 1);
}

const std::string& source_manager::file_name(std::uint32_t file) const {
    return file < files_.size() ? files_[file].name : files_[0].name;
}

const std::string& source_manager::file_text(std::uint32_t file) const {
    return file < files_.size() ? files_[file].text : files_[0].text;
}

std::string_view source_manager::line_text(std::uint32_t file, std::uint32_t line) const {
    if (file == 0 || file >= files_.size() || line == 0)
        return {};
    const auto& entry = files_[file];
    if (line > entry.line_starts.size())
        return {};
    std::size_t begin = entry.line_starts[line - 1];
    if (begin > entry.text.size())
        return {};
    std::size_t end = entry.text.find('\n', begin);
    if (end == std::string::npos)
        end = entry.text.size();
    std::string_view text(entry.text.data() + begin, end - begin);
    if (!text.empty() && text.back() == '\r')
        text.remove_suffix(1);
    return text;
}

} // namespace siphost::cfg

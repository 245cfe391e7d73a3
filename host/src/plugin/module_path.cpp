#include "plugin/module_path.hpp"

namespace siphost::plugin {

std::vector<std::filesystem::path> split_search_path(std::string_view colon_separated) {
    std::vector<std::filesystem::path> dirs;
    while (!colon_separated.empty()) {
        auto colon = colon_separated.find(':');
        auto part = colon_separated.substr(0, colon);
        if (!part.empty())
            dirs.emplace_back(part);
        if (colon == std::string_view::npos)
            break;
        colon_separated.remove_prefix(colon + 1);
    }
    return dirs;
}

std::vector<std::filesystem::path> candidate_paths(std::string_view name,
                                                   const std::vector<std::filesystem::path>& search_dirs) {
    std::string file(name);
    if (!file.ends_with(".so"))
        file += ".so";
    std::filesystem::path as_written(file);
    std::vector<std::filesystem::path> paths;
    if (as_written.is_absolute()) {
        paths.push_back(as_written);
        return paths;
    }
    if (file.find('/') != std::string::npos) {
        paths.push_back(as_written);
        for (const auto& dir : search_dirs)
            paths.push_back(dir / as_written);
        return paths;
    }
    auto stem = file.substr(0, file.size() - 3);
    for (const auto& dir : search_dirs) {
        paths.push_back(dir / file);
        paths.push_back(dir / stem / file);
    }
    return paths;
}

} // namespace siphost::plugin

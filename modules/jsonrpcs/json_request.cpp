#include "json_request.hpp"

#include <limits>

namespace siphost::modules::jsonrpcs {
namespace {

using json = nlohmann::ordered_json;

/// Counts nesting while the SAX parser validates, and stops it at the first level too deep, so that a
/// document nested 10,000 deep is refused before any value is built. It keeps the top-level id and
/// reply_name seen before it stopped, so that even a broken request gets its error reply where it asked.
class depth_guard : public nlohmann::json_sax<json> {
public:
    explicit depth_guard(size_t max_depth) : max_depth_(max_depth) {}

    bool null() override { return scalar(nullptr); }
    bool boolean(bool) override { return scalar(json()); }
    bool number_integer(number_integer_t n) override { return scalar(n); }
    bool number_unsigned(number_unsigned_t n) override {
        return n > uint64_t(std::numeric_limits<int64_t>::max()) ? scalar(json()) : scalar(int64_t(n));
    }
    bool number_float(number_float_t, const string_t&) override { return scalar(json()); }
    bool string(string_t& s) override {
        if (depth_ == 1 && key_ == "reply_name")
            reply_name_ = s;
        return scalar(s);
    }
    bool binary(binary_t&) override { return true; }
    bool start_object(std::size_t) override { return enter(); }
    bool key(string_t& k) override {
        if (depth_ == 1)
            key_ = k;
        return true;
    }
    bool end_object() override { return leave(); }
    bool start_array(std::size_t) override { return enter(); }
    bool end_array() override { return leave(); }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
        return false;
    }

    bool too_deep() const { return too_deep_; }
    const std::string& reply_name() const { return reply_name_; }
    /// The top-level id when it was a string, an integer or null.
    const std::optional<json>& id() const { return id_; }

private:
    bool scalar(json value) {
        if (depth_ == 1 && key_ == "id" &&
            (value.is_string() || value.is_number_integer() || value.is_null()))
            id_ = std::move(value);
        return true;
    }
    bool enter() {
        if (++depth_ > max_depth_) {
            too_deep_ = true;
            return false;
        }
        return true;
    }
    bool leave() {
        --depth_;
        return true;
    }

    size_t max_depth_;
    size_t depth_ = 0;
    bool too_deep_ = false;
    std::string key_;
    std::string reply_name_;
    std::optional<json> id_;
};

json_request fail(json_request request, int code, std::string message) {
    request.error_code = code;
    request.error_message = std::move(message);
    return request;
}

/// One parameter value; false for what the RPC interface cannot carry (null, booleans, nested values).
bool to_param(const json& value, json_param& out) {
    if (value.is_number_integer()) {
        if (value.is_number_unsigned() &&
            value.get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max()))
            return false;
        out = value.get<int64_t>();
        return true;
    }
    if (value.is_number_float()) {
        out = value.get<double>();
        return true;
    }
    if (value.is_string()) {
        out = value.get<std::string>();
        return true;
    }
    return false;
}

} // namespace

json_request parse_request(std::string_view text, const json_limits& limits) {
    json_request request;
    if (text.size() > limits.max_size)
        return fail(std::move(request), invalid_request,
                    "Request Too Large (" + std::to_string(text.size()) + " bytes, at most " +
                        std::to_string(limits.max_size) + ")");
    depth_guard guard(limits.max_depth);
    if (!json::sax_parse(text, &guard)) {
        request.reply_name = guard.reply_name();
        if (guard.id()) {
            request.id = *guard.id();
            request.has_id = true;
        }
        if (guard.too_deep())
            return fail(std::move(request), invalid_request,
                        "Request Too Deep (more than " + std::to_string(limits.max_depth) + " levels)");
        return fail(std::move(request), parse_error, "Parse Error");
    }
    json doc = json::parse(text, nullptr, false);
    if (doc.is_discarded())
        return fail(std::move(request), parse_error, "Parse Error");
    if (!doc.is_object())
        return fail(std::move(request), invalid_request, "Invalid Request");

    if (auto id = doc.find("id"); id != doc.end()) {
        // JSON-RPC allows a string, a number or null; a fraction is discouraged, a structure is not an id.
        if (!id->is_string() && !id->is_number_integer() && !id->is_null())
            return fail(std::move(request), invalid_request, "Invalid Request (id)");
        request.id = *id;
        request.has_id = true;
    }
    if (auto name = doc.find("reply_name"); name != doc.end()) {
        if (!name->is_string())
            return fail(std::move(request), invalid_request, "Invalid Request (reply_name)");
        request.reply_name = name->get<std::string>();
    }
    auto method = doc.find("method");
    if (method == doc.end() || !method->is_string() || method->get_ref<const std::string&>().empty())
        return fail(std::move(request), invalid_request, "Invalid Request (method)");
    request.method = method->get<std::string>();

    if (auto params = doc.find("params"); params != doc.end() && !params->is_null()) {
        if (!params->is_array() && !params->is_object())
            return fail(std::move(request), invalid_params, "Invalid Params");
        for (const auto& value : *params) {
            json_param param;
            if (!to_param(value, param))
                return fail(std::move(request), invalid_params,
                            "Invalid Params (parameter " + std::to_string(request.params.size() + 1) +
                                " is " + value.type_name() + ")");
            request.params.push_back(std::move(param));
        }
    }
    return request;
}

} // namespace siphost::modules::jsonrpcs

// xavp_cfg and xavp_rcd: the per-request settings a script gives save(), lookup() and registered() in
// $xavp(<xavp_cfg>=>field), and the details of the location record they used, written to
// $xavp(<xavp_rcd>=>field). Both go through the host's pseudo-variables ($xavp), parsed once at the first
// fixup, so the registrar needs nothing of the host beyond pv_parse/pv_get/pv_set.
#include "registrar.hpp"

#include <array>
#include <cctype>

namespace siphost::modules::registrar {
namespace {

constexpr std::array<const char*, cfg_field_count> cfg_names = {
    "max_contacts",   "expires",       "q",          "match_callid",
    "match_received", "match_contact", "rlf_bflags", "socket"};

/// xavp_rcd's fields and their bit in xavp_rcd_mask (Kamailio's).
struct rcd_field {
    const char* name;
    uint32_t mask_bit;
};
constexpr std::array<rcd_field, 5> rcd_fields = {
    {{"ruid", 1}, {"contact", 2}, {"expires", 4}, {"received", 8}, {"path", 16}}};

struct xavp_specs {
    bool prepared = false;
    std::array<siphost_pv_spec*, cfg_field_count> cfg{};
    siphost_pv_spec* rcd_root = nullptr;                        ///< $xavp(rcd): is there an item?
    std::array<siphost_pv_spec*, rcd_fields.size()> rcd_push{}; ///< $xavp(rcd=>f): a new item holding f
    std::array<siphost_pv_spec*, rcd_fields.size()> rcd_top{};  ///< $xavp(rcd[0]=>f): f on top in item 0
};

xavp_specs& specs() {
    static xavp_specs instance;
    return instance;
}

/// An xavp name as $xavp() takes it: letters, digits and '_'.
bool valid_name(std::string_view name) {
    if (name.empty())
        return false;
    for (char ch : name)
        if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_')
            return false;
    return true;
}

siphost_pv_spec* parse(const std::string& text, const char* param) {
    char err[200] = "";
    siphost_pv_spec* pv = ctx().host->pv_parse(sdk::str(text), err, sizeof err);
    if (pv == nullptr)
        throw sdk::config_error(std::string(param) + ": cannot use " + text + ": " + err);
    return pv;
}

const char* param_text(const char* value) {
    return value != nullptr ? value : "";
}

} // namespace

void prepare_xavps() {
    xavp_specs& s = specs();
    if (s.prepared)
        return;
    const settings& p = ctx().params;
    std::string cfg = param_text(p.xavp_cfg);
    std::string rcd = param_text(p.xavp_rcd);
    if (!cfg.empty() && !valid_name(cfg))
        throw sdk::config_error("xavp_cfg '" + cfg + "' is not an xavp name (letters, digits, '_')");
    if (!rcd.empty() && !valid_name(rcd))
        throw sdk::config_error("xavp_rcd '" + rcd + "' is not an xavp name (letters, digits, '_')");
    if (!cfg.empty())
        for (size_t i = 0; i < cfg_names.size(); ++i)
            s.cfg[i] = parse("$xavp(" + cfg + "=>" + cfg_names[i] + ")", "xavp_cfg");
    if (!rcd.empty()) {
        s.rcd_root = parse("$xavp(" + rcd + ")", "xavp_rcd");
        for (size_t i = 0; i < rcd_fields.size(); ++i) {
            s.rcd_push[i] = parse("$xavp(" + rcd + "=>" + rcd_fields[i].name + ")", "xavp_rcd");
            s.rcd_top[i] = parse("$xavp(" + rcd + "[0]=>" + rcd_fields[i].name + ")", "xavp_rcd");
        }
    }
    s.prepared = true;
}

void free_xavps() {
    xavp_specs& s = specs();
    const siphost_host_api* host = ctx().host;
    auto release = [&](siphost_pv_spec*& pv) {
        if (pv != nullptr && host != nullptr)
            host->pv_free(pv);
        pv = nullptr;
    };
    for (auto& pv : s.cfg)
        release(pv);
    release(s.rcd_root);
    for (auto& pv : s.rcd_push)
        release(pv);
    for (auto& pv : s.rcd_top)
        release(pv);
    s.prepared = false;
}

bool xavp_rcd_enabled() {
    return specs().rcd_root != nullptr;
}

std::optional<int64_t> cfg_int(siphost_msg* msg, cfg_field field) {
    siphost_pv_spec* pv = specs().cfg[field];
    if (pv == nullptr)
        return std::nullopt;
    siphost_value v{};
    if (ctx().host->pv_get(pv, msg, &v) != 0)
        return std::nullopt;
    if (v.kind == SIPHOST_VALUE_INT)
        return v.num;
    if (v.kind == SIPHOST_VALUE_STR) {
        // Kamailio reads these fields as integers only; a string that is no number is ignored, with a word.
        std::string_view text = sdk::trim(sdk::view(v.str));
        bool negative = !text.empty() && text.front() == '-';
        uint64_t n = 0;
        if (sdk::parse_uint(negative ? text.substr(1) : text, n, INT32_MAX))
            return negative ? -static_cast<int64_t>(n) : static_cast<int64_t>(n);
        log(SIPHOST_LOG_WARN, std::string("xavp_cfg: ") + cfg_names[field] + " is not a number: ignored");
    }
    return std::nullopt;
}

std::optional<std::string> cfg_string(siphost_msg* msg, cfg_field field) {
    siphost_pv_spec* pv = specs().cfg[field];
    if (pv == nullptr)
        return std::nullopt;
    siphost_value v{};
    if (ctx().host->pv_get(pv, msg, &v) != 0)
        return std::nullopt;
    if (v.kind == SIPHOST_VALUE_STR)
        return std::string(sdk::view(v.str));
    if (v.kind == SIPHOST_VALUE_INT)
        return std::to_string(v.num);
    return std::nullopt;
}

void store_rcd(siphost_msg* msg, const record_details& r) {
    const xavp_specs& s = specs();
    if (s.rcd_root == nullptr)
        return;
    const siphost_host_api* host = ctx().host;
    uint32_t mask = static_cast<uint32_t>(ctx().params.xavp_rcd_mask);
    // As Kamailio's registrar does (measured on 5.6.3): the fields go on top in the newest item when there is
    // one (a save() listing several bindings, or a lookup() after registered(), stacks them: the newest value
    // of each field is the last record's), else into a new item. Empty received and path are left out.
    siphost_value root{};
    bool have_item = host->pv_get(s.rcd_root, msg, &root) == 0 && root.kind != SIPHOST_VALUE_NULL;
    for (size_t i = 0; i < rcd_fields.size(); ++i) {
        if ((mask & rcd_fields[i].mask_bit) != 0)
            continue;
        siphost_value v{};
        switch (i) {
        case 0:
            v = sdk::str_value(r.ruid);
            break;
        case 1:
            v = sdk::str_value(r.contact);
            break;
        case 2:
            v = sdk::int_value(r.expires);
            break;
        case 3:
            v = sdk::str_value(r.received);
            break;
        default:
            v = sdk::str_value(r.path);
            break;
        }
        if (v.kind == SIPHOST_VALUE_STR && v.str.len == 0)
            continue;
        if (host->pv_set(have_item ? s.rcd_top[i] : s.rcd_push[i], msg, &v) != 0) {
            log(SIPHOST_LOG_ERR, std::string("xavp_rcd: cannot set ") + rcd_fields[i].name);
            return;
        }
        have_item = true;
    }
}

} // namespace siphost::modules::registrar

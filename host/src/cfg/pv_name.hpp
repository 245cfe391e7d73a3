#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <siphost/module.h>

#include "cfg/transformation.hpp"

namespace siphost::cfg {

/// The pseudo-variables the host itself implements (Kamailio's pv module set that siphost needs).
enum class core_pv {
    avp,
    var,
    vn,
    null_value,
    rm,
    rs,
    rr,
    ru,
    rU,
    rd,
    rp,
    du,
    si,
    sp,
    ci,
    fu,
    fU,
    fd,
    ft,
    tu,
    tU,
    td,
    tt,
    hdr,
    mb,
    ml,
    mt,
    pp,
    rc,
    Ts,
    ou,
    cs,
    ua,
    Ri,   ///< the local address the message arrived at
    Rp,   ///< the local port
    pr,   ///< the transport ("udp")
    af,   ///< the address family ("INET", "INET6")
    xavp, ///< an extended AVP: $xavp(root[i]=>field[j])
    xavu, ///< an extended AVP with one value per name: $xavu(root=>field)
    xavi, ///< an extended AVP whose names are compared without case
    sel,  ///< a select: $sel(ruri.user), @ruri.user
    fn,   ///< the From display name
    tn,   ///< the To display name
    ct,   ///< the Contact header's value
    cT,   ///< the Content-Type header's value
    cl,   ///< the Content-Length header's value
    rb,   ///< the body
    rv,   ///< the SIP version
    rz,   ///< the Request-URI's scheme (tel for a user=phone sip URI)
    rP,   ///< the Request-URI's transport
    mf,   ///< the message flags, decimal
    mF,   ///< the message flags, hex
    bf,   ///< the branch flags of the Request-URI's branch, decimal
    bF,   ///< the same in hex
    od,   ///< the original Request-URI's host
    op,   ///< the original Request-URI's port
    oU,   ///< the original Request-URI's user
    oP,   ///< the original Request-URI's transport
    dd,   ///< $du's host
    dp,   ///< $du's port
    dP,   ///< $du's transport
    su,   ///< the source as a URI: sip:ip:port
    sut,  ///< the source as a URI with its transport
    mi,   ///< the message id
    ai,   ///< the P-Asserted-Identity URI
    pu,   ///< the P-Preferred-Identity URI
    pU,   ///< its user
    pd,   ///< its host
    pn,   ///< its display name
    di,   ///< the Diversion URI
    re,   ///< the Remote-Party-ID URI
    rt,   ///< the Refer-To URI
    ar,   ///< the digest credentials' realm (Proxy-Authorization, else Authorization)
    au,   ///< their username's user part
    ad,   ///< their username's domain part
    aU,   ///< their whole username
    adu,  ///< their digest URI
    aa,   ///< their algorithm
    Au,   ///< the user for accounting: user@domain of the From URI
    AU,   ///< its user
    bs,   ///< the body size
    ds,   ///< the destination set as a Contact header value
    fs,   ///< the socket forced with force_send_socket: proto:ip:port
    rmid, ///< the request method's id (Kamailio's METHOD_* bit)
    RAi,  ///< the advertised address of the socket the message arrived at, else its address
    RAp,  ///< the same for the port
    Tb,   ///< the Unix time siphost started at
    TS,   ///< the same (Kamailio's startup timestamp)
    Tf,   ///< the current time as ctime() writes it
    TF,   ///< the current time as ctime() writes it
    TV,   ///< the current time: $TV(s), $TV(u), $TV(sn), $TV(un), $TV(Sn)
    /// a target of the destination set: $branch(uri), $(branch(ruid)[1]), $branch(count)
    branch,
    /// where the message onsend_route runs for goes ($snd, $sndto): ip, port, proto, sproto, af, buf, len
    snd,
    /// the local socket it leaves from, with the same names ($sndfrom)
    sndfrom
};

/// The names $snd, $sndto and $sndfrom take (Kamailio's pv refuses others when the config loads).
bool is_send_field(std::string_view name);

struct core_pv_info {
    const char* name;
    core_pv id;
    std::uint32_t flags; ///< siphost_pv_flags: whether it takes "(inner)"
    bool writable;
    const char* doc;
};

/// Every core pseudo-variable (name without '$').
const std::vector<core_pv_info>& core_pvs();
/// The core pseudo-variable called name, or nullptr.
const core_pv_info* find_core_pv(std::string_view name);

/// "$name(inner)[index]" split into its parts.
struct pv_name {
    std::string name;  ///< "avp", "rm", "?" for $?
    std::string inner; ///< without parentheses; "" when absent
    bool has_inner = false;
    std::int32_t index = SIPHOST_PV_NO_INDEX; ///< SIPHOST_PV_ALL_INDEX for [*]
    std::vector<transformation> transforms;   ///< $(name{tr}...) only; applied in order when read
};

/// Parses the text of a pseudo-variable ("$avp(x)[1]", "$(avp(x)[1]{s.len})", "$?"); nullopt with a reason in
/// error. error_offset, when given, receives the byte of text the error is about (0 when it is the whole).
std::optional<pv_name> parse_pv_name(std::string_view text, std::string& error,
                                     std::size_t* error_offset = nullptr);

/// The name of $xavp/$xavu/$xavi: "root[i]=>field[j]" (indexes as in pv_name::index).
struct xavp_name {
    std::string root;
    std::int32_t root_index = SIPHOST_PV_NO_INDEX;
    bool has_field = false;
    std::string field;
    std::int32_t field_index = SIPHOST_PV_NO_INDEX;
};

/// Parses the inner name of an xavp; nullopt with a reason in error. unique ($xavu) takes no index.
std::optional<xavp_name> parse_xavp_name(std::string_view inner, bool unique, std::string& error);

/// How far a pseudo-variable starting at text[0] == '$' reaches inside a string template ("$rm the" -> 3);
/// 0 when '$' does not start one there (then it is a literal '$').
std::size_t pv_extent(std::string_view text);

/// Whether NAME is one of SER's attribute classes ($f.x, $t.did, $fu.x, $tu.x, $fd.x, $td.x, $g.x): Kamailio
/// 5.6.3 reads those attributes only after #!SER or #!MAXCOMPAT, siphost never.
bool is_ser_attribute_class(std::string_view name);

/// A piece of a string template: literal text or a pseudo-variable.
struct template_part {
    bool is_pv = false;
    std::string text;       ///< the literal, or the pv's text ("$avp(x)")
    std::size_t offset = 0; ///< where the piece starts in the template text
};

/// Splits "for $rm the value is $avp(x)" into literal and pseudo-variable parts. "$$" is a literal '$'.
std::vector<template_part> split_template(std::string_view text);

} // namespace siphost::cfg

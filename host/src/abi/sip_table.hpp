#pragma once
// The SIP toolkit sub-table of the host table (module.h's siphost_sip_api): the host's own parsers (sip/)
// behind the C views. It needs nothing but the SIP layer, so that the module tests' host can hand modules
// this very table rather than a copy of it.

#include <siphost/module.h>

namespace siphost::abi {

const siphost_sip_api* sip_table();

} // namespace siphost::abi

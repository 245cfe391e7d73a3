#pragma once
// auth_db's load_credentials: which subscriber columns go into which AVPs after a successful authentication.
//
//   load_credentials = credential (';' credential)*
//   credential       = avp '=' column | column        avp: $avp(name), $avp(s:name) or $avp(i:number)

#include <string>
#include <string_view>
#include <vector>

namespace siphost::modules::auth_db {

struct credential_column {
    std::string avp;    ///< the AVP name as the host keeps it ("name", or "i:7" for an integer name)
    std::string column; ///< the subscriber column
};

/// Parses the parameter; throws sdk::config_error with the reason.
std::vector<credential_column> parse_credential_columns(std::string_view text);

} // namespace siphost::modules::auth_db

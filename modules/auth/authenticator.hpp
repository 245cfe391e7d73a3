#pragma once
// The digest authentication of the auth module, for its script commands and for the "auth" API
// (<siphost/api/auth.h>) that auth_db uses: finding and checking credentials, verifying a response against
// an HA1, nonce accounting, and challenges. Thread-safe: settings are fixed at construction, nonces are
// stateless but for the lock-free replay tracker, and per-request state lives in a message slot.

#include "auth_settings.hpp"
#include "nonce_authority.hpp"
#include "nonce_tracker.hpp"

#include <siphost/api/auth.h>
#include <siphost/api/sl.h>
#include <siphost/api/tm.h>

#include <array>
#include <atomic>
#include <memory>
#include <string>
#include <string_view>

namespace siphost::modules::auth {

struct msg_state;

class authenticator {
public:
    /// Throws std::runtime_error (no message slot, no random secret).
    authenticator(const siphost_host_api* host, siphost_module_handle* self, auth_settings settings,
                  const siphost_sl_api_v1* sl);

    int pre_auth(siphost_msg* msg, std::string_view realm, uint32_t hf, siphost_auth_credentials& out);
    /// Not const: with add_authinfo_hdr a matching HA1 is kept on the message for post_auth's rspauth.
    int check_response(siphost_msg* msg, const siphost_auth_credentials& cred, std::string_view ha1,
                       std::string_view method);
    int post_auth(siphost_msg* msg, const siphost_auth_credentials& cred);

    /// The challenge lines for a new nonce; empty when there is no realm.
    std::string challenge_headers(siphost_msg* msg, std::string_view realm, uint32_t flags, uint32_t hf);
    /// Sends 401/407 with the challenge. 1 or -1.
    int challenge(siphost_msg* msg, std::string_view realm, uint32_t flags, uint32_t hf);

    /// 1 when msg has Authorization or Proxy-Authorization credentials for realm, else -1.
    int has_credentials(siphost_msg* msg, std::string_view realm) const;
    /// Removes the credentials header post_auth marked authorized. 1, or -1 when none was.
    int consume_credentials(siphost_msg* msg);

    /// The realm to use: the given one, else the To (REGISTER) or From host without realm_prefix.
    std::string realm_for(siphost_msg* msg, std::string_view realm) const;

    const auth_settings& settings() const { return settings_; }

private:
    msg_state* state(siphost_msg* msg, bool create);
    int bad_credentials(siphost_msg* msg, std::string_view why);
    bool offered(digest_algorithm algorithm) const;
    std::string_view validate(const siphost_credentials& c, digest_algorithm& algorithm) const;
    const siphost_tm_api_v1* tm();
    uint8_t checks_for(siphost_msg* msg) const;
    std::array<unsigned char, 8> binding_of(siphost_msg* msg, uint8_t checks) const;
    std::string new_nonce(siphost_msg* msg);
    void add_authentication_info(siphost_msg* msg, const siphost_auth_credentials& cred, const msg_state& s);

    const siphost_host_api* host_;
    siphost_module_handle* self_;
    auth_settings settings_;
    const siphost_sl_api_v1* sl_;
    nonce_authority nonces_;
    std::unique_ptr<nonce_tracker> tracker_; ///< only with nonce_count or one_time_nonce
    int slot_ = -1;
    std::atomic<const siphost_tm_api_v1*> tm_{nullptr};
    std::atomic<bool> tm_looked_up_{false};
};

} // namespace siphost::modules::auth

// tls: Kamailio's TLS module. It owns the TLS configuration (modparams and the tls.cfg profiles), builds the
// OpenSSL contexts and hands them to the host's TCP transport through the "tls" API (siphost/api/tls.h); the
// host hands back each connection's SSL for $tls_*, is_peer_verified() and the tls.list/tls.info RPCs.
#include "tls_config.hpp"
#include "tls_contexts.hpp"

#include <siphost/api/tls.h>
#include <siphost/module.hpp>

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>

#include <atomic>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

namespace siphost::modules::tls {
namespace {

namespace sdk = siphost::sdk;
using siphost::tls::tls_config;
using siphost::tls::tls_contexts;
using siphost::tls::tls_profile;

constexpr const char* module_name = "tls";

const siphost_host_api* host_ = nullptr;
std::unique_ptr<tls_contexts> contexts_;
std::atomic<const siphost_tls_host_v1*> tls_host_{nullptr};

// Modparams: the default profiles, and where tls.cfg is.
const char* config_ = nullptr;
const char* method_ = nullptr;
const char* certificate_ = nullptr;
const char* private_key_ = nullptr;
const char* ca_list_ = nullptr;
const char* crl_ = nullptr;
const char* cipher_list_ = nullptr;
const char* server_name_ = nullptr;
int32_t verify_certificate_ = 0;
int32_t verify_depth_ = 9;
int32_t require_certificate_ = 0;
int32_t connection_timeout_ = 600;

// ---- the API the host looks up ------------------------------------------------------------------------

void log(int level, const std::string& text) {
    if (host_ != nullptr)
        host_->log(nullptr, level, siphost_str{text.data(), text.size()});
}

void* api_server_ctx(siphost_str ip, uint16_t port) {
    if (!contexts_)
        return nullptr;
    std::string error;
    SSL_CTX* ctx = contexts_->server(std::string(ip.s, ip.len), port, error);
    if (ctx == nullptr)
        log(SIPHOST_LOG_ERR, "tls: " + error);
    return ctx;
}

void* api_client_ctx(siphost_str ip, uint16_t port, siphost_str* server_name) {
    if (!contexts_)
        return nullptr;
    const std::string* name = nullptr;
    SSL_CTX* ctx = contexts_->client(std::string(ip.s, ip.len), port, &name);
    if (server_name != nullptr)
        *server_name = name != nullptr ? siphost_str{name->data(), name->size()} : siphost_str{nullptr, 0};
    return ctx;
}

uint32_t api_connection_timeout() {
    return static_cast<uint32_t>(connection_timeout_);
}

void api_attach_host(const siphost_tls_host_v1* host) {
    tls_host_.store(host, std::memory_order_release);
}

const siphost_tls_api_v1 tls_api = {sizeof(siphost_tls_api_v1), api_server_ctx, api_client_ctx,
                                    api_connection_timeout, api_attach_host};

// ---- reading the session of the message's connection ----------------------------------------------------

/// Runs read(SSL*) for msg's TLS connection; false when msg did not come over TLS (or it is gone).
template <class Read> bool with_session(siphost_msg* msg, Read&& read) {
    const siphost_tls_host_v1* host = tls_host_.load(std::memory_order_acquire);
    if (host == nullptr || msg == nullptr)
        return false;
    siphost_dest source = sdk::sized<siphost_dest>();
    if (host_->msg_source(msg, &source) != 0 || source.proto != SIPHOST_PROTO_TLS || source.conn_id == 0)
        return false;
    auto call = [](void* ssl, void* arg) -> int {
        (*static_cast<Read*>(arg))(static_cast<SSL*>(ssl));
        return 0;
    };
    return host->with_ssl(source.conn_id, call, &read) == 0;
}

std::string name_entry(X509_NAME* name, int nid) {
    if (name == nullptr)
        return {};
    int index = X509_NAME_get_index_by_NID(name, nid, -1);
    if (index < 0)
        return {};
    ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
    unsigned char* utf8 = nullptr;
    int len = ASN1_STRING_to_UTF8(&utf8, data);
    if (len < 0)
        return {};
    std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
    OPENSSL_free(utf8);
    return out;
}

std::string name_line(X509_NAME* name) {
    if (name == nullptr)
        return {};
    char buf[512];
    X509_NAME_oneline(name, buf, sizeof buf);
    return buf;
}

bool peer_verified(SSL* ssl) {
    X509* peer = SSL_get0_peer_certificate(ssl);
    return peer != nullptr && SSL_get_verify_result(ssl) == X509_V_OK;
}

/// What one $tls_* variable reads.
enum class item {
    version,
    description,
    cipher_info,
    cipher_bits,
    peer_verified,
    peer_subject,
    peer_issuer,
    peer_subject_cn,
    peer_issuer_cn,
    peer_serial,
    my_subject_cn,
    peer_expired,
    sni,
};

int set_string(siphost_value* out, std::string text) {
    thread_local std::string storage; // valid until the next $tls_* read on this thread
    storage = std::move(text);
    out->kind = SIPHOST_VALUE_STR;
    out->str = siphost_str{storage.data(), storage.size()};
    return 0;
}

template <item What> int get_item(siphost_msg* msg, void*, int32_t, siphost_value* out) {
    return sdk::guard(-1, [&] {
        std::string text;
        int64_t number = 0;
        bool is_number = false;
        bool found = with_session(msg, [&](SSL* ssl) {
            X509* peer = SSL_get0_peer_certificate(ssl);
            const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl);
            switch (What) {
            case item::version:
                text = SSL_get_version(ssl);
                break;
            case item::description: {
                char buf[256] = "";
                if (cipher != nullptr)
                    SSL_CIPHER_description(cipher, buf, sizeof buf);
                text = buf;
                while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
                    text.pop_back();
                break;
            }
            case item::cipher_info:
                text = cipher != nullptr ? SSL_CIPHER_get_name(cipher) : "";
                break;
            case item::cipher_bits:
                is_number = true;
                number = cipher != nullptr ? SSL_CIPHER_get_bits(cipher, nullptr) : 0;
                break;
            case item::peer_verified:
                is_number = true;
                number = peer_verified(ssl) ? 1 : 0;
                break;
            case item::peer_subject:
                text = peer != nullptr ? name_line(X509_get_subject_name(peer)) : "";
                break;
            case item::peer_issuer:
                text = peer != nullptr ? name_line(X509_get_issuer_name(peer)) : "";
                break;
            case item::peer_subject_cn:
                text = peer != nullptr ? name_entry(X509_get_subject_name(peer), NID_commonName) : "";
                break;
            case item::peer_issuer_cn:
                text = peer != nullptr ? name_entry(X509_get_issuer_name(peer), NID_commonName) : "";
                break;
            case item::peer_serial: {
                is_number = true;
                long serial = peer != nullptr ? ASN1_INTEGER_get(X509_get0_serialNumber(peer)) : 0;
                number = serial;
                break;
            }
            case item::my_subject_cn: {
                X509* mine = SSL_get_certificate(ssl);
                text = mine != nullptr ? name_entry(X509_get_subject_name(mine), NID_commonName) : "";
                break;
            }
            case item::peer_expired:
                is_number = true;
                number = peer != nullptr && X509_cmp_current_time(X509_get0_notAfter(peer)) < 0 ? 1 : 0;
                break;
            case item::sni: {
                const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
                text = name != nullptr ? name : "";
                break;
            }
            }
        });
        if (!found || (!is_number && text.empty())) {
            out->kind = SIPHOST_VALUE_NULL;
            return 0;
        }
        if (is_number) {
            out->kind = SIPHOST_VALUE_INT;
            out->num = number;
            return 0;
        }
        return set_string(out, std::move(text));
    });
}

/// is_peer_verified(): 1 when the request came over TLS with a peer certificate that verified, else -1.
int cmd_is_peer_verified(siphost_msg* msg, const siphost_value*, void*) {
    return sdk::guard(-1, [&] {
        bool verified = false;
        bool found = with_session(msg, [&](SSL* ssl) { verified = peer_verified(ssl); });
        return found && verified ? 1 : -1;
    });
}

// ---- RPCs
// --------------------------------------------------------------------------------------------------

std::string dest_ip(const siphost_dest& d) {
    char buf[INET6_ADDRSTRLEN] = "";
    if (d.family == 4 || d.family == 6)
        inet_ntop(d.family == 4 ? AF_INET : AF_INET6, d.ip, buf, sizeof buf);
    return buf;
}

void rpc_list(siphost_rpc_call* call) {
    const siphost_rpc_api* rpc = host_->rpc;
    siphost_rpc_node* list = rpc->result(call);
    const siphost_tls_host_v1* host = tls_host_.load(std::memory_order_acquire);
    if (host == nullptr)
        return;
    struct context {
        const siphost_rpc_api* rpc;
        siphost_rpc_node* list;
    } ctx{rpc, list};
    host->for_each(
        [](uint64_t id, void* ssl_ptr, const siphost_dest* remote, const siphost_dest* local, void* arg) {
            auto* c = static_cast<context*>(arg);
            auto* ssl = static_cast<SSL*>(ssl_ptr);
            siphost_rpc_node* st = c->rpc->add_struct(c->list, nullptr);
            if (st == nullptr)
                return 1;
            auto add_str = [&](const char* key, const std::string& value) {
                c->rpc->add_str(st, key, siphost_str{value.data(), value.size()});
            };
            c->rpc->add_int(st, "id", static_cast<int64_t>(id));
            add_str("src_ip", dest_ip(*remote));
            c->rpc->add_int(st, "src_port", remote->port);
            add_str("dst_ip", dest_ip(*local));
            c->rpc->add_int(st, "dst_port", local->port);
            const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl);
            bool done = SSL_is_init_finished(ssl) != 0;
            add_str("cipher", done && cipher != nullptr ? SSL_CIPHER_get_name(cipher) : "unknown");
            add_str("version", done ? SSL_get_version(ssl) : "unknown");
            const char* sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
            add_str("server_name", sni != nullptr ? sni : "");
            add_str("state", done ? "established" : "handshake");
            add_str("side", SSL_is_server(ssl) ? "server" : "client");
            return 0;
        },
        &ctx);
}

void rpc_info(siphost_rpc_call* call) {
    const siphost_rpc_api* rpc = host_->rpc;
    siphost_rpc_node* st = rpc->add_struct(rpc->result(call), nullptr);
    if (st == nullptr)
        return;
    int64_t opened = 0;
    if (const siphost_tls_host_v1* host = tls_host_.load(std::memory_order_acquire))
        host->for_each(
            [](uint64_t, void*, const siphost_dest*, const siphost_dest*, void* arg) {
                ++*static_cast<int64_t*>(arg);
                return 0;
            },
            &opened);
    rpc->add_int(st, "opened_connections", opened);
}

// ---- lifecycle
// -----------------------------------------------------------------------------------------------

tls_profile default_profile(bool server) {
    tls_profile p;
    p.server = server;
    p.address = "default";
    auto set = [&p](const char* key, const char* value) {
        if (value == nullptr)
            return;
        std::string error;
        if (!tls_config::apply(p, key, value, error))
            throw std::runtime_error("modparam(\"tls\", \"" + std::string(key) + "\"): " + error);
    };
    set("method", method_);
    set("certificate", certificate_);
    set("private_key", private_key_);
    set("ca_list", ca_list_);
    set("crl", crl_);
    set("cipher_list", cipher_list_);
    set("server_name", server_name_);
    p.verify_certificate = verify_certificate_ != 0;
    p.require_certificate = require_certificate_ != 0;
    p.verify_depth = verify_depth_;
    if (!server) {
        // Kamailio's client default: no verification unless a tls.cfg client profile asks for it.
        p.verify_certificate = false;
        p.require_certificate = false;
        p.server_name.clear();
    }
    return p;
}

int init(const siphost_host_api* host, siphost_module_handle* self, char* err, size_t err_size) {
    host_ = host;
    return sdk::guard_with_error(err, err_size, [&] {
        if (connection_timeout_ <= 0)
            throw std::runtime_error("connection_timeout must be a positive number of seconds");
        if (verify_depth_ < 0 || verify_depth_ > 100)
            throw std::runtime_error("verify_depth must be 0..100");
        tls_profile server = default_profile(true);
        tls_profile client = default_profile(false);
        std::vector<tls_profile> profiles;
        if (config_ != nullptr && *config_ != '\0')
            profiles = tls_config::load(config_, server, client);
        bool has_server_default = false, has_client_default = false;
        for (const auto& p : profiles) {
            if (p.is_default() && p.server_name.empty())
                (p.server ? has_server_default : has_client_default) = true;
        }
        if (!has_server_default)
            profiles.push_back(server);
        if (!has_client_default)
            profiles.push_back(client);
        contexts_ = std::make_unique<tls_contexts>(std::move(profiles));
        if (host->api_export(self, SIPHOST_TLS_API_NAME, SIPHOST_TLS_API_MAJOR, &tls_api) != 0)
            throw std::runtime_error("cannot publish the tls API");
        return 0;
    });
}

void destroy() {
    tls_host_.store(nullptr);
    contexts_.reset();
}

const siphost_param params[] = {
    sdk::string_param("config", &config_, "the tls.cfg profile file"),
    sdk::string_param("tls_method", &method_, "TLSv1.2+ (default), TLSv1.3, SSLv23, ..."),
    sdk::string_param("certificate", &certificate_, "PEM certificate (chain) of the default profiles"),
    sdk::string_param("private_key", &private_key_, "PEM private key of the default profiles"),
    sdk::string_param("ca_list", &ca_list_, "PEM file of trusted CA certificates"),
    sdk::string_param("crl", &crl_, "PEM certificate revocation list"),
    sdk::string_param("cipher_list", &cipher_list_, "OpenSSL cipher list (TLS 1.2)"),
    sdk::string_param("server_name", &server_name_, "SNI name of the default server profile"),
    sdk::int_param("verify_certificate", &verify_certificate_, "verify the peer's certificate"),
    sdk::int_param("verify_depth", &verify_depth_, "longest certificate chain verified"),
    sdk::int_param("require_certificate", &require_certificate_, "a client must send a certificate"),
    sdk::int_param("connection_timeout", &connection_timeout_, "seconds an idle TLS connection stays open"),
    sdk::end_of_params(),
};

const siphost_pv pvs[] = {
    sdk::pseudo_variable("tls_version", SIPHOST_PV_NAME_NONE, get_item<item::version>),
    sdk::pseudo_variable("tls_description", SIPHOST_PV_NAME_NONE, get_item<item::description>),
    sdk::pseudo_variable("tls_cipher_info", SIPHOST_PV_NAME_NONE, get_item<item::cipher_info>),
    sdk::pseudo_variable("tls_cipher_bits", SIPHOST_PV_NAME_NONE, get_item<item::cipher_bits>),
    sdk::pseudo_variable("tls_peer_verified", SIPHOST_PV_NAME_NONE, get_item<item::peer_verified>),
    sdk::pseudo_variable("tls_peer_subject", SIPHOST_PV_NAME_NONE, get_item<item::peer_subject>),
    sdk::pseudo_variable("tls_peer_issuer", SIPHOST_PV_NAME_NONE, get_item<item::peer_issuer>),
    sdk::pseudo_variable("tls_peer_subject_cn", SIPHOST_PV_NAME_NONE, get_item<item::peer_subject_cn>),
    sdk::pseudo_variable("tls_peer_issuer_cn", SIPHOST_PV_NAME_NONE, get_item<item::peer_issuer_cn>),
    sdk::pseudo_variable("tls_peer_serial", SIPHOST_PV_NAME_NONE, get_item<item::peer_serial>),
    sdk::pseudo_variable("tls_my_subject_cn", SIPHOST_PV_NAME_NONE, get_item<item::my_subject_cn>),
    sdk::pseudo_variable("tls_peer_expired", SIPHOST_PV_NAME_NONE, get_item<item::peer_expired>),
    sdk::pseudo_variable("tls_peer_server_name", SIPHOST_PV_NAME_NONE, get_item<item::sni>),
    sdk::end_of_pvs(),
};

const siphost_command commands[] = {
    sdk::command("is_peer_verified", SIPHOST_ROUTE_REQUEST, cmd_is_peer_verified),
    sdk::end_of_commands(),
};

const siphost_rpc_command rpcs[] = {
    sdk::rpc("tls.list", rpc_list, "Lists the open TLS connections.", "", SIPHOST_RPC_RETURNS_ARRAY),
    sdk::rpc("tls.info", rpc_info, "Counts the open TLS connections."),
    sdk::end_of_rpcs(),
};

const siphost_module descriptor = sdk::module({.name = module_name,
                                               .version = "1.0",
                                               .commands = commands,
                                               .params = params,
                                               .pvs = pvs,
                                               .rpcs = rpcs,
                                               .init = init,
                                               .destroy = destroy});

} // namespace
} // namespace siphost::modules::tls

SIPHOST_MODULE(siphost::modules::tls::descriptor)

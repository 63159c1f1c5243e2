/* TEMPORARY (branch net only): weak stand-ins for the dissectors that are
 * being written on branch dissect; deleted when that branch is merged. */
#include <errno.h>
#include <string.h>
#include "dissect.h"
#define W __attribute__((weak))
W int dissect_dns(const uint8_t *p, size_t len, struct dns_message *out) { (void)p; (void)len; (void)out; return -EINVAL; }
W void dissect_mdns_summary(const struct dns_message *m, struct mdns_info *out) { (void)m; memset(out, 0, sizeof(*out)); }
W int dissect_netbios_ns(const uint8_t *p, size_t len, struct netbios_ns *out) { (void)p; (void)len; (void)out; return -EINVAL; }
W int dissect_tls_client_hello(const uint8_t *p, size_t len, struct tls_client_hello *out) { (void)p; (void)len; (void)out; return -EINVAL; }
W int dissect_tls_server_cert(const uint8_t *p, size_t len, struct tls_server_cert *out) { (void)p; (void)len; (void)out; return -EINVAL; }
W int dissect_http_request(const uint8_t *p, size_t len, struct http_request *out) { (void)p; (void)len; (void)out; return -EINVAL; }
W int dissect_rdp_x224(const uint8_t *p, size_t len, struct rdp_x224 *out) { (void)p; (void)len; (void)out; return -EINVAL; }
W int dissect_rfb_banner(const uint8_t *p, size_t len, struct rfb_banner *out) { (void)p; (void)len; (void)out; return -EINVAL; }
W int dissect_ssh_banner(const uint8_t *p, size_t len, struct ssh_banner *out) { (void)p; (void)len; (void)out; return -EINVAL; }
W const struct wire_signature *dissect_wire_signature(const uint8_t *p, size_t len, enum dissect_transport t, uint16_t port) { (void)p; (void)len; (void)t; (void)port; return NULL; }
W int dissect_arp(const uint8_t *p, size_t len, struct arp_packet *out) { (void)p; (void)len; (void)out; return -EINVAL; }
W int dissect_dhcp(const uint8_t *p, size_t len, struct dhcp_message *out) { (void)p; (void)len; (void)out; return -EINVAL; }
W const char *oui_vendor(const uint8_t mac[6]) { (void)mac; return NULL; }

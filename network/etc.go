package network

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strings"
)

// resolvConf is what matters of a resolv.conf.
type resolvConf struct {
	Nameservers, Search, Options []string
}

func parseResolvConf(data []byte) resolvConf {
	var rc resolvConf
	for line := range bytes.Lines(data) { // no scanner: its 4 KiB buffer would stay a monitor's
		f := strings.Fields(string(line))
		if len(f) < 2 || strings.HasPrefix(f[0], "#") || strings.HasPrefix(f[0], ";") {
			continue
		}
		switch f[0] {
		case "nameserver":
			rc.Nameservers = append(rc.Nameservers, f[1])
		case "search", "domain":
			rc.Search = f[1:]
		case "options":
			rc.Options = append(rc.Options, f[1:]...)
		}
	}
	return rc
}

// hostResolvConf reads the host's resolv.conf ("" for /etc/resolv.conf).
func hostResolvConf(path string) resolvConf {
	if path == "" {
		path = "/etc/resolv.conf"
	}
	data, _ := os.ReadFile(path)
	return parseResolvConf(data)
}

// containerResolvConf is the container's resolv.conf: the embedded server,
// the search domains of dns_search or the host, ndots:0 and the options of
// the host overridden by dns_opt, as Docker writes it.
func containerResolvConf(host resolvConf, search, opts []string) []byte {
	var b strings.Builder
	b.WriteString("nameserver 127.0.0.11\n")
	if len(search) == 0 {
		search = host.Search
	}
	if len(search) > 0 && !(len(search) == 1 && search[0] == ".") {
		fmt.Fprintf(&b, "search %s\n", strings.Join(search, " "))
	}
	merged := []string{"ndots:0"}
	for _, o := range slices.Concat(host.Options, opts) {
		key, _, _ := strings.Cut(o, ":")
		merged = slices.DeleteFunc(merged, func(m string) bool { k, _, _ := strings.Cut(m, ":"); return k == key })
		merged = append(merged, o)
	}
	fmt.Fprintf(&b, "options %s\n", strings.Join(merged, " "))
	return []byte(b.String())
}

// hostsFile is the container's /etc/hosts: localhost, extra_hosts (with
// host-gateway resolved to gateway), and its own address and names.
func hostsFile(self netip.Addr, names []string, extra []string, gateway netip.Addr) ([]byte, error) {
	var b strings.Builder
	b.WriteString("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n" +
		"fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n")
	for _, h := range extra {
		name, ip, ok := strings.Cut(h, ":")
		if !ok {
			name, ip, ok = strings.Cut(h, "=")
		}
		ip = strings.TrimSuffix(strings.TrimPrefix(ip, "["), "]")
		if ip == "host-gateway" {
			if !gateway.IsValid() {
				return nil, fmt.Errorf("extra host %q: %w: no network with a gateway", h, ErrInvalid)
			}
			ip = gateway.String()
		}
		if _, err := netip.ParseAddr(ip); !ok || err != nil || name == "" {
			return nil, fmt.Errorf("extra host %q: %w: want name:ip", h, ErrInvalid)
		}
		fmt.Fprintf(&b, "%s\t%s\n", ip, name)
	}
	if self.IsValid() && len(names) > 0 {
		fmt.Fprintf(&b, "%s\t%s\n", self, strings.Join(names, " "))
	}
	return []byte(b.String()), nil
}

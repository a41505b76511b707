package web

import (
	"fmt"
	"net"
	"strings"
)

// CheckExposure refuses to serve incidents without a token on an address other
// machines can reach: addr is the --http host:port, token any configured token, and
// insecure the --insecure-no-auth flag. The error names the flags that fix it.
func CheckExposure(addr, token string, insecure bool) error {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return fmt.Errorf("--http %q: want host:port, e.g. 127.0.0.1:8080: %w", addr, err)
	}
	if token != "" || insecure || IsLoopback(addr) {
		return nil
	}
	return fmt.Errorf("refusing to serve the dashboard and API without authentication on %s, which other machines can reach: "+
		"set --read-token/--write-token NAME=SECRET (or --auth-token, DOWNWATCH_AUTH_TOKEN), bind a loopback address such as 127.0.0.1:8080, "+
		"or pass --insecure-no-auth to serve it open anyway", addr)
}

// IsLoopback reports whether the host of addr (host:port) is "localhost" or a
// loopback IP: only this machine can reach it.
func IsLoopback(addr string) bool {
	host, _, _ := net.SplitHostPort(addr)
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

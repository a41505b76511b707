package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/downwatch/downwatch/secure"
	"github.com/downwatch/downwatch/secure/securetest"
)

// TestOpenSecure proves Open logs in with a password from the URL or from Conn,
// with an ACL user, and over TLS with a CA and client certificate; and that a
// wrong password, an untrusted server and a missing client certificate are
// refused, the first two with one line naming what to check and no secret.
func TestOpenSecure(t *testing.T) {
	certs := securetest.New(t)
	plain, tlsAddr := securetest.StartRedis(t, certs)
	client := secure.TLSFiles{CA: certs.CA, Cert: certs.ClientCert, Key: certs.ClientKey}
	for _, tc := range []struct {
		name    string
		url     string
		conn    Conn
		wantErr string // "" = must connect
	}{
		{"password in URL", "redis://:default-pw@" + plain + "/0", Conn{}, ""},
		{"password from Conn", "redis://" + plain + "/0", Conn{Password: "default-pw"}, ""},
		{"Conn password replaces URL's", "redis://:stale-pw@" + plain, Conn{Password: "default-pw"}, ""},
		{"ACL user", plain, Conn{User: "alice", Password: "alice-pw"}, ""},
		{"TLS with client certificate", "redis://" + tlsAddr, Conn{Password: "default-pw", TLS: client}, ""},
		{"TLS with server name", "redis://" + tlsAddr, Conn{User: "alice", Password: "alice-pw", TLS: secure.TLSFiles{CA: certs.CA, Cert: certs.ClientCert, Key: certs.ClientKey, ServerName: "localhost"}}, ""},
		{"wrong password", plain, Conn{Password: "wrong-pw-7"}, "--redis-password-file"},
		{"no password", plain, Conn{}, "--redis-password-file"},
		{"wrong user password over TLS", tlsAddr, Conn{User: "alice", Password: "wrong-pw-8", TLS: client}, "--redis-password-file"},
		{"untrusted server", tlsAddr, Conn{Password: "default-pw", TLS: secure.TLSFiles{CA: certs.OtherCA, Cert: certs.ClientCert, Key: certs.ClientKey}}, "--redis-tls-ca"},
		{"no client certificate", tlsAddr, Conn{Password: "default-pw", TLS: secure.TLSFiles{CA: certs.CA}}, "does not answer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			st, err := Open(ctx, tc.url, Config{Prefix: "downwatch:conntest:", Conn: tc.conn})
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("got %v, want a connection", err)
				}
				defer st.Close()
				if err := st.Client().Set(ctx, "downwatch:conntest:k", "v", time.Minute).Err(); err != nil {
					t.Fatalf("SET after login: %v", err)
				}
				return
			}
			if err == nil {
				st.Close()
				t.Fatalf("got a connection, want an error naming %s", tc.wantErr)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.wantErr) || strings.Contains(msg, "\n") || (tc.conn.Password != "" && strings.Contains(msg, tc.conn.Password)) {
				t.Errorf("got %q, want one line naming %s and no password", msg, tc.wantErr)
			}
		})
	}
}

// TestDialRejects proves contradictory connection settings are refused before
// any connection is tried.
func TestDialRejects(t *testing.T) {
	for _, tc := range []struct {
		name, url string
		conn      Conn
		want      string
	}{
		{"sentinel master without addresses", "redis://127.0.0.1:6379", Conn{SentinelMaster: "mymaster"}, "needs both"},
		{"sentinels without master", "redis://127.0.0.1:6379", Conn{Sentinels: []string{"127.0.0.1:26379"}}, "needs both"},
		{"sentinel and cluster", "redis+cluster://127.0.0.1:7000", Conn{SentinelMaster: "m", Sentinels: []string{"127.0.0.1:26379"}}, "exclude each other"},
		{"key without certificate", "redis://127.0.0.1:6379", Conn{TLS: secure.TLSFiles{Key: "k.pem"}}, "both its certificate and its key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Dial(tc.url, Config{Conn: tc.conn})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// TestOpenSentinel proves Open follows a master through Sentinel: it asks the
// sentinel, not the --redis host (which is dead here), and logs in to the
// master it names.
func TestOpenSentinel(t *testing.T) {
	certs := securetest.New(t)
	plain, _ := securetest.StartRedis(t, certs)
	sentinel := securetest.StartSentinel(t, plain, "default-pw")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn := Conn{Password: "default-pw", SentinelMaster: "mymaster", Sentinels: []string{sentinel}}
	st, err := Open(ctx, "redis://127.0.0.1:1/0", Config{Prefix: "downwatch:conntest:", Conn: conn})
	if err != nil {
		t.Fatalf("got %v, want a connection through the sentinel", err)
	}
	defer st.Close()
	if err := st.Client().Set(ctx, "downwatch:conntest:s", "v", time.Minute).Err(); err != nil {
		t.Fatalf("SET through the sentinel: %v", err)
	}
	direct, err := Open(ctx, "redis://:default-pw@"+plain, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer direct.Close()
	if got, err := direct.Client().Get(ctx, "downwatch:conntest:s").Result(); got != "v" {
		t.Errorf("on the master itself: got %q (%v), want the value written through the sentinel", got, err)
	}
	_, err = Open(ctx, "redis://127.0.0.1:1/0", Config{Conn: Conn{Password: "default-pw", SentinelMaster: "othermaster", Sentinels: []string{sentinel}}})
	if err == nil {
		t.Error("an unknown master name: got a connection, want an error")
	}
}

package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/downwatch/downwatch"
)

func tokenServer(t *testing.T, cfg Config) *httptest.Server {
	t.Helper()
	st := testStore(t)
	seed(t, st)
	cfg.Store = st
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { srv.Close(); hs.Close() })
	return hs
}

func TestReadAndWriteTokens(t *testing.T) {
	hs := tokenServer(t, Config{Tokens: []Token{{Name: "wall-tv", Secret: "r3ad"}, {Name: "ana-laptop", Secret: "wr1te", Write: true}}})
	inc := hs.URL + "/api/incidents/whatsapp.20221025T0705Z"
	reads := []struct {
		name string
		hdr  []string
		want int
	}{
		{"no token", nil, 401},
		{"read token", []string{"Authorization", "Bearer r3ad"}, 200},
		{"write token reads too", []string{"Authorization", "Bearer wr1te"}, 200},
		{"wrong token", []string{"Authorization", "Bearer nope"}, 401},
	}
	for _, c := range reads {
		if resp, _ := get(t, inc, c.hdr...); resp.StatusCode != c.want {
			t.Errorf("GET with %s: got %d, want %d", c.name, resp.StatusCode, c.want)
		}
	}
	writes := []struct {
		name string
		hdr  []string
		want int
	}{
		{"no token", nil, 401},
		{"read token", []string{"Authorization", "Bearer r3ad"}, 403},
		{"write token", []string{"Authorization", "Bearer wr1te"}, 200},
	}
	for _, c := range writes {
		code, body := postJSON(t, nil, inc+"/acknowledge", `{"note":"on it"}`, c.hdr...)
		if code != c.want {
			t.Errorf("POST with %s: got %d %s, want %d", c.name, code, body, c.want)
		}
		if c.want == 200 && !strings.Contains(body, `"by":"ana-laptop","token":"ana-laptop"`) {
			t.Errorf("the action does not record the token's name (and use it for by): %s", body)
		}
	}
	// A read token's session cookie does not write either.
	resp, _ := get(t, hs.URL+"/api/incidents?token=r3ad")
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == cookieName {
			cookie = c
		}
	}
	if cookie == nil || strings.Contains(cookie.Value, "r3ad") {
		t.Fatalf("session cookie %+v: want one, without the secret", cookie)
	}
	code, _ := postJSON(t, nil, inc+"/resolve", `{"by":"eve"}`, "Cookie", cookie.Name+"="+cookie.Value)
	if code != 403 {
		t.Errorf("POST with a read token's session: got %d, want 403", code)
	}
	forged := strings.Replace(cookie.Value, "wall-tv", "ana-laptop", 1)
	if code, _ := postJSON(t, nil, inc+"/resolve", `{"by":"eve"}`, "Cookie", cookie.Name+"="+forged); code != 401 {
		t.Errorf("POST with a session renamed to the write token: got %d, want 401", code)
	}
}

func TestNoTokens(t *testing.T) {
	local := tokenServer(t, Config{})
	code, body := postJSON(t, nil, local.URL+"/api/incidents/whatsapp.20221025T0705Z/acknowledge", `{"by":"ana"}`)
	if code != 200 || !strings.Contains(body, downwatch.AlertOperatorAcknowledged) {
		t.Errorf("loopback without tokens: got %d %s, want the action done", code, body)
	}
	exposed := tokenServer(t, Config{Exposed: true})
	if resp, _ := get(t, exposed.URL+"/api/incidents"); resp.StatusCode != 200 {
		t.Errorf("exposed without tokens (serve --insecure-no-auth): reads got %d, want 200", resp.StatusCode)
	}
	code, body = postJSON(t, nil, exposed.URL+"/api/incidents/whatsapp.20221025T0705Z/acknowledge", `{"by":"ana"}`)
	if code != 403 || !strings.Contains(body, "--write-token") {
		t.Errorf("exposed without tokens: a write got %d %s, want 403 naming --write-token", code, body)
	}
	for _, bad := range [][]Token{{{Name: "a", Secret: "x"}, {Name: "a", Secret: "y"}}, {{Name: "a", Secret: "x"}, {Name: "b", Secret: "x"}}, {{Name: "", Secret: "x"}}} {
		if _, err := New(Config{Store: testStore(t), Tokens: bad}); err == nil {
			t.Errorf("tokens %+v: want an error", bad)
		}
	}
}

package main

import (
	"bytes"
	"net"
	"strings"
	"testing"
)

// TestDemoBusyPort: a port another process holds is an error that names the
// flag, before anything starts, not a demo without its dashboard.
func TestDemoBusyPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var out, errb bytes.Buffer
	rc := run([]string{"demo", "--http", ln.Addr().String()}, nil, &out, &errb)
	if rc == 0 {
		t.Fatalf("demo on a busy port succeeded; stdout %q", out.String())
	}
	if msg := errb.String(); !strings.Contains(msg, "--http "+ln.Addr().String()) || !strings.Contains(msg, "--http 127.0.0.1:PORT") {
		t.Errorf("error %q does not name the flag and what to do", msg)
	}
	if out.Len() != 0 {
		t.Errorf("demo started anyway: %q", out.String())
	}
}

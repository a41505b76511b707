package secure

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSecret proves the precedence file > environment, that one trailing line
// break is trimmed, and that errors name the file but hold no secret.
func TestSecret(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "pw")
	os.WriteFile(file, []byte("from-file\n"), 0o600)
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, []byte("\n"), 0o600)
	env := func(k string) string {
		if k == "PW" {
			return "from-env"
		}
		return ""
	}
	for _, tc := range []struct {
		name, file, env, want, wantErr string
	}{
		{"file wins over environment", file, "PW", "from-file", ""},
		{"environment without file", "", "PW", "from-env", ""},
		{"neither", "", "", "", ""},
		{"unset variable", "", "OTHER", "", ""},
		{"empty file", empty, "PW", "", "is empty"},
		{"missing file", filepath.Join(dir, "nope"), "PW", "", "read secret file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Secret(tc.file, tc.env, env)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || strings.Contains(err.Error(), "from-") {
					t.Fatalf("got %q, %v; want an error containing %q and no secret", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// TestTLSFilesConfig proves no setting means no TLS, and that a file holding
// no certificate is refused by name.
func TestTLSFilesConfig(t *testing.T) {
	if c, err := (TLSFiles{}).Config(); c != nil || err != nil {
		t.Errorf("zero TLSFiles: got %v, %v; want nil, nil", c, err)
	}
	c, err := TLSFiles{ServerName: "kafka.internal"}.Config()
	if err != nil || c == nil || c.ServerName != "kafka.internal" || c.RootCAs != nil {
		t.Errorf("server name alone: got %+v, %v; want TLS with system roots and that name", c, err)
	}
	bad := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(bad, []byte("not a certificate"), 0o600)
	if _, err := (TLSFiles{CA: bad}).Config(); err == nil || !strings.Contains(err.Error(), "holds no PEM certificate") {
		t.Errorf("CA without PEM: got %v, want an error saying it holds no certificate", err)
	}
}

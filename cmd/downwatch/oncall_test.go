package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestREADMEOnCallConfig loads the README's on-call configuration example and
// prints serve's values from it, so the example stays a working file.
func TestREADMEOnCallConfig(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```yaml\n(# oncall.yaml[^\n]*\n.*?)```").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README has no oncall.yaml example")
	}
	path := filepath.Join(t.TempDir(), "oncall.yaml")
	if err := os.WriteFile(path, m[1], 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"--config", path, "config", "print", "serve"}, strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("config print serve with the README's example: exit %d: %s", code, errb.String())
	}
	for _, want := range []string{`webhook-events: "incident.opened,incident.resolved,incident.reopened,incident.false_alarm"`, `http: "0.0.0.0:8080"`, "write-token:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("config print lacks %s:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "change-me-ana") {
		t.Errorf("config print shows a write token's secret:\n%s", out.String())
	}
}

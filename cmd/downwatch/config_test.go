package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "downwatch.yaml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// printed runs `config print ROLE` and returns each flag's line.
func printed(t *testing.T, args ...string) map[string]string {
	t.Helper()
	var out, errb bytes.Buffer
	if rc := run(args, nil, &out, &errb); rc != 0 {
		t.Fatalf("%v: rc %d, stderr %s", args, rc, errb.String())
	}
	lines := map[string]string{}
	for _, l := range strings.Split(out.String(), "\n") {
		if name, rest, ok := strings.Cut(strings.TrimSpace(l), ": "); ok {
			lines[name] = rest
		}
	}
	return lines
}

// TestConfigPrecedence: command line over DOWNWATCH_… environment over the
// role's section over the file's top level over the default.
func TestConfigPrecedence(t *testing.T) {
	p := writeConfig(t, "kafka: [k1:9092, k2:9092]\npartitions: 8\ngroup: top-group\ndetect:\n  group: detect-group\n  topic: file-topic\nserve:\n  http: :9999\n")
	t.Setenv("DOWNWATCH_TOPIC", "env-topic")
	got := printed(t, "--config", p, "config", "print", "detect", "--partitions", "12")
	for name, want := range map[string]string{
		"partitions":   `"12"  # command line`,
		"topic":        `"env-topic"  # DOWNWATCH_TOPIC`,
		"group":        `"detect-group"  # ` + p + `:5`,
		"kafka":        `"k1:9092,k2:9092"  # ` + p + `:1`,
		"alerts-topic": `"downwatch.alerts"  # default`,
	} {
		if got[name] != want {
			t.Errorf("%s: got %s, want %s", name, got[name], want)
		}
	}
	// The same file serves another role: its own section, the shared keys.
	if s := printed(t, "--config", p, "config", "print", "serve"); s["http"] != `":9999"  # `+p+`:8` {
		t.Errorf("serve http: got %s", s["http"])
	}
}

func TestConfigUnknownKeysNameTheLine(t *testing.T) {
	for text, want := range map[string]string{
		"kafka: a:1\nhtp: :80\n":     ":2: unknown key \"htp\"",
		"serve:\n  group: x\n":       ":2: unknown key \"group\" under serve",
		"detect:\n  partitions: x\n": ":2: partitions: \"x\"",
	} {
		p := writeConfig(t, text)
		var out, errb bytes.Buffer
		if rc := run([]string{"--config", p, "config", "print", "detect"}, nil, &out, &errb); rc == 0 {
			t.Errorf("%q accepted", text)
		}
		if !strings.Contains(errb.String(), p+want) {
			t.Errorf("%q: error %q, want it to contain %q", text, errb.String(), p+want)
		}
	}
}

// TestConfigPrintMasksSecrets: a password in a Redis URL, from the file or the
// environment, never appears in config print.
func TestConfigPrintMasksSecrets(t *testing.T) {
	p := writeConfig(t, "redis: redis://app:hunter2-file@redis:6379/0\n")
	var out, errb bytes.Buffer
	if rc := run([]string{"--config", p, "config", "print", "serve"}, nil, &out, &errb); rc != 0 {
		t.Fatalf("rc %d: %s", rc, errb.String())
	}
	if strings.Contains(out.String(), "hunter2") || !strings.Contains(out.String(), "redis://app:***@redis:6379/0") {
		t.Errorf("config print:\n%s", out.String())
	}
	t.Setenv("DOWNWATCH_REDIS", "redis://app:hunter2-env@redis:6379/0")
	out.Reset()
	run([]string{"config", "print", "detect"}, nil, &out, &errb)
	if strings.Contains(out.String(), "hunter2") {
		t.Errorf("config print shows the environment's password:\n%s", out.String())
	}
}

package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestComposeFileMatchesBinary validates deployments/docker-compose.yaml (it cannot
// be run here, there is no Docker engine): every downwatch service runs a real
// subcommand with flags that subcommand has, Kafka runs in KRaft mode, and the
// topics it creates are the ones downwatch uses.
func TestComposeFileMatchesBinary(t *testing.T) {
	b, err := os.ReadFile("../../deployments/docker-compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Command     []string          `yaml:"command"`
			Environment map[string]string `yaml:"environment"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(b, &compose); err != nil {
		t.Fatalf("compose file is not valid YAML: %v", err)
	}
	k, ok := compose.Services["kafka"]
	if !ok || !strings.HasPrefix(k.Image, "apache/kafka:") || k.Environment["KAFKA_PROCESS_ROLES"] == "" {
		t.Errorf("kafka service: got %+v, want apache/kafka in KRaft mode", k)
	}
	topics := strings.Join(compose.Services["topics"].Command, " ")
	for _, topic := range []string{"downwatch.mentions", "downwatch.alerts"} {
		if !strings.Contains(topics, topic) {
			t.Errorf("the topics job does not create %s", topic)
		}
	}
	n := 0
	for name, s := range compose.Services {
		if !strings.HasPrefix(s.Image, "downwatch") {
			continue
		}
		n++
		if len(s.Command) == 0 {
			t.Errorf("%s: no command", name)
			continue
		}
		var out, errb bytes.Buffer
		if code := run([]string{s.Command[0], "--help"}, strings.NewReader(""), &out, &errb); code != 0 {
			t.Errorf("%s: `downwatch %s --help` exited %d: %s", name, s.Command[0], code, errb.String())
			continue
		}
		usage := errb.String() + out.String()
		for _, a := range s.Command[1:] {
			if strings.HasPrefix(a, "--") {
				flag := strings.SplitN(strings.TrimLeft(a, "-"), "=", 2)[0]
				if !strings.Contains(usage, "  -"+flag+" ") && !strings.Contains(usage, "  -"+flag+"\n") {
					t.Errorf("%s: `downwatch %s` has no flag --%s", name, s.Command[0], flag)
				}
			}
		}
	}
	if n < 3 {
		t.Errorf("found %d downwatch services, want ingest, detect and serve at least", n)
	}
}

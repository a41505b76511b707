package detect

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// The README's Tuning section shows a settings file: it must load, and it must
// name every key the settings file accepts, so the documentation stays complete.
func TestReadmeTuningExample(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	i := strings.Index(text, "## Tuning")
	if i < 0 {
		t.Fatal("README has no Tuning section")
	}
	j := strings.Index(text[i:], "```yaml\n")
	if j < 0 {
		t.Fatal("README Tuning has no yaml block")
	}
	block := text[i+j+len("```yaml\n"):]
	block = block[:strings.Index(block, "```")]
	cfg := DefaultConfig()
	if err := ParseConfig("README.md", []byte(block), &cfg); err != nil {
		t.Fatalf("README example does not load: %v", err)
	}
	ft := reflect.TypeOf(fileConfig{})
	for k := 0; k < ft.NumField(); k++ {
		key := strings.Split(ft.Field(k).Tag.Get("yaml"), ",")[0]
		if !strings.Contains(block, "\n"+key+":") && !strings.HasPrefix(block, key+":") {
			t.Errorf("README Tuning example does not show the key %q", key)
		}
	}
}

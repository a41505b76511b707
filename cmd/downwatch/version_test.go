package main

import (
	"bytes"
	"regexp"
	"testing"
)

func TestVersion(t *testing.T) {
	var out, errb bytes.Buffer
	if rc := run([]string{"version"}, nil, &out, &errb); rc != 0 {
		t.Fatalf("version: rc %d, stderr %q", rc, errb.String())
	}
	if !regexp.MustCompile(`^downwatch \S+( \(commit [0-9a-f]{1,12}(, modified)?\))? go\d+\.\d+\S*\n$`).MatchString(out.String()) {
		t.Errorf("version printed %q", out.String())
	}
	if rc := run([]string{"version", "extra"}, nil, &out, &errb); rc == 0 {
		t.Error("version with an argument succeeded")
	}
}

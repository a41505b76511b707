package web

import (
	"strings"
	"testing"
)

func TestCheckExposure(t *testing.T) {
	tests := []struct {
		addr, token string
		insecure    bool
		ok          bool
	}{
		{"127.0.0.1:8080", "", false, true},
		{"localhost:8080", "", false, true},
		{"[::1]:8080", "", false, true},
		{":8080", "", false, false},
		{"0.0.0.0:8080", "", false, false},
		{"192.168.1.5:8080", "", false, false},
		{"0.0.0.0:8080", "tok", false, true},
		{"0.0.0.0:8080", "", true, true},
		{"nonsense", "", false, false},
	}
	for _, tc := range tests {
		err := CheckExposure(tc.addr, tc.token, tc.insecure)
		if (err == nil) != tc.ok {
			t.Errorf("CheckExposure(%q, token %q, insecure %v): got %v, want ok=%v", tc.addr, tc.token, tc.insecure, err, tc.ok)
		}
	}
	err := CheckExposure(":8080", "", false)
	for _, want := range []string{"--auth-token", "DOWNWATCH_AUTH_TOKEN", "--insecure-no-auth"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("refusal %v does not mention %s", err, want)
		}
	}
}

package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// createdAtByID reads the mentions `ingest --out -` printed: post id → created_at.
func createdAtByID(t *testing.T, stdout string) map[string]string {
	t.Helper()
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var m struct {
			Post struct {
				ID        string `json:"id"`
				CreatedAt string `json:"created_at"`
			} `json:"post"`
		}
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not a mention: %q: %v", line, err)
		}
		got[m.Post.ID] = m.Post.CreatedAt
	}
	return got
}

// TestIngestKeepsSparseAndLateTimes is issue 14's reproduction: three
// complaints 30 minutes apart, then one late by an hour, keep their own times.
func TestIngestKeepsSparseAndLateTimes(t *testing.T) {
	in := `{"id":"a","source":"x","author":"u1","text":"WhatsApp is down for me","created_at":"2026-11-27T10:00:00Z"}
{"id":"b","source":"x","author":"u2","text":"WhatsApp is down for me too","created_at":"2026-11-27T10:30:00Z"}
{"id":"c","source":"x","author":"u3","text":"WhatsApp is down again","created_at":"2026-11-27T11:00:00Z"}
{"id":"d","source":"x","author":"u4","text":"WhatsApp was down for me an hour ago","created_at":"2026-11-27T10:00:00Z"}
`
	code, stdout, stderr := runCLI(t, in, "ingest", "--input", "-", "--out", "-")
	if code != 0 {
		t.Fatalf("exit code %d, stderr:\n%s", code, stderr)
	}
	got := createdAtByID(t, stdout)
	want := map[string]string{"a": "2026-11-27T10:00:00Z", "b": "2026-11-27T10:30:00Z", "c": "2026-11-27T11:00:00Z", "d": "2026-11-27T10:00:00Z"}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("post %s: created_at %q, want %q (its own time)", id, got[id], w)
		}
	}
}

// TestIngestClampsALoneFarFuturePost: in a file there is no receive time, but a
// post years ahead of the rest (and of the wall clock) is a bad clock.
func TestIngestClampsALoneFarFuturePost(t *testing.T) {
	in := `{"id":"a","source":"x","author":"u1","text":"WhatsApp is down for me","created_at":"2022-10-25T07:00:00Z"}
{"id":"b","source":"x","author":"u2","text":"WhatsApp is down for me too","created_at":"2099-01-01T00:00:00Z"}
{"id":"c","source":"x","author":"u3","text":"WhatsApp is down again","created_at":"2022-10-25T07:01:00Z"}
{"id":"d","source":"x","author":"u4","text":"WhatsApp down?","created_at":"2022-10-27T09:00:00Z"}
{"id":"e","source":"x","author":"u5","text":"WhatsApp down here too","created_at":"2022-10-27T09:05:00Z"}
`
	code, stdout, stderr := runCLI(t, in, "ingest", "--input", "-", "--out", "-")
	if code != 0 {
		t.Fatalf("exit code %d, stderr:\n%s", code, stderr)
	}
	got := createdAtByID(t, stdout)
	// d is two days after c with nothing in between: a bad clock until e agrees.
	want := map[string]string{"a": "2022-10-25T07:00:00Z", "b": "2022-10-25T07:00:00Z", "c": "2022-10-25T07:01:00Z",
		"d": "2022-10-25T07:01:00Z", "e": "2022-10-27T09:05:00Z"}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("post %s: created_at %q, want %q", id, got[id], w)
		}
	}
}

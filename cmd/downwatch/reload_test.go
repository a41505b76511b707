package main

import (
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

const catalogV1 = `services:
  - id: quuxly
    names: [Quuxly]
`

const catalogV2 = catalogV1 + `  - id: zorblax
    names: [Zorblax]
`

func pushPosts(t *testing.T, base, body string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/v1/posts", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("push: got %d %s, want 200", resp.StatusCode, answer)
	}
}

func complaint(id, service string) string {
	return `{"id":"` + id + `","source":"http","author":"a-` + id + `","text":"` + service + ` is down for everyone","created_at":"2022-10-25T07:10:00Z"}` + "\n"
}

// A running ingest picks up a service added to its --catalog file, when the file
// changes and on SIGHUP; a broken file keeps the previous matcher and says where
// it is broken.
func TestIngestReloadsCatalog(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "catalog.yaml")
	write := func(s string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(catalogV1)
	// SIGHUP must not end the test binary, whatever happens below.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	stdout, stderr, stop := liveIngest(t, "--source", "http", "--listen", "127.0.0.1:0", "--out", "-",
		"--catalog", path, "--catalog-poll", "20ms")
	re := regexp.MustCompile(`listening on (http://[0-9.:]+)`)
	stderr.waitUntil(t, "the listen address", re.MatchString)
	base := re.FindStringSubmatch(stderr.String())[1]

	// Before: zorblax is unknown. Posts keep their order, so once q1 is out, z1 would be too.
	pushPosts(t, base, complaint("z1", "Zorblax")+complaint("q1", "Quuxly"))
	stdout.waitUntil(t, "the known service", hasMention("quuxly", "q1"))
	if hasMention("zorblax", "z1")(stdout.String()) {
		t.Fatalf("zorblax matched before it was in the catalog:\n%s", stdout.String())
	}

	// The file changes: the poll reloads it.
	time.Sleep(20 * time.Millisecond) // a different mtime even on coarse clocks
	write(catalogV2)
	stderr.waitUntil(t, "the reload", func(s string) bool { return strings.Count(s, "catalog reloaded") == 1 })
	pushPosts(t, base, complaint("z2", "Zorblax"))
	stdout.waitUntil(t, "the added service", hasMention("zorblax", "z2"))

	// A broken file: one clear error with file and line, and the old matcher stays.
	write(catalogV2 + "  - id: Not A Slug\n    names: [Broken]\n")
	wantErr := regexp.MustCompile(`catalog not reloaded.*` + regexp.QuoteMeta(path) + `:6: `)
	stderr.waitUntil(t, "the reload error naming file and line", wantErr.MatchString)
	pushPosts(t, base, complaint("z3", "Zorblax"))
	stdout.waitUntil(t, "matching with the previous catalog", hasMention("zorblax", "z3"))
	if n := strings.Count(stderr.String(), "catalog not reloaded"); n != 1 {
		t.Errorf("the broken file was reported %d times, want once:\n%s", n, stderr.String())
	}

	// SIGHUP reloads too, even when nothing else would notice a change.
	write(catalogV1)
	stderr.waitUntil(t, "the reload of v1", func(s string) bool { return strings.Count(s, "catalog reloaded") == 2 })
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	stderr.waitUntil(t, "the SIGHUP reload", func(s string) bool { return strings.Contains(s, "(SIGHUP)") })
	pushPosts(t, base, complaint("z4", "Zorblax")+complaint("q4", "Quuxly"))
	stdout.waitUntil(t, "the known service", hasMention("quuxly", "q4"))
	if hasMention("zorblax", "z4")(stdout.String()) {
		t.Errorf("zorblax still matched after it was removed from the catalog")
	}
	if c := stop(); c != 0 {
		t.Errorf("exit code %d, want 0", c)
	}
}

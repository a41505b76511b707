package ingest

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestPushHTTP(t *testing.T) {
	good := `{"id":"p1","source":"http","author":"a","text":"WhatsApp down","created_at":"2022-10-25T07:10:00Z"}`
	good2 := `{"id":"p2","source":"http","author":"b","text":"still down","created_at":"2022-10-25T07:11:00Z"}`
	for _, tc := range []struct {
		name, token, auth, ctype, body string
		queue                          int
		prefill                        int
		wantCode                       int
		wantBody                       string
		wantQueued                     int
	}{
		{name: "one post", body: good, wantCode: 200, wantBody: `{"accepted":1,"rejected":[]}`, wantQueued: 1},
		{name: "pretty single post", body: "{\n \"id\":\"p1\",\"source\":\"http\",\"author\":\"a\",\n \"text\":\"x\",\"created_at\":\"2022-10-25T07:10:00Z\"\n}", wantCode: 200, wantBody: `{"accepted":1,"rejected":[]}`, wantQueued: 1},
		{name: "ndjson with bad lines", ctype: "application/x-ndjson", body: good + "\n{\"id\":1}\n\nnot json\n" + good2 + "\n",
			wantCode: 200, wantQueued: 2,
			wantBody: `{"accepted":2,"rejected":[{"line":2,"reason":"wrong-type","detail":"field \"id\" must not be a JSON number"},{"line":4,"reason":"not-object","detail":"record is not a JSON object"}]}`},
		{name: "all bad", body: "{\"id\":\"x\"}\n", wantCode: 400, wantQueued: 0,
			wantBody: `{"accepted":0,"rejected":[{"line":1,"reason":"missing-field","detail":"required field \"source\" is missing or empty"}]}`},
		{name: "empty", body: "\n\n", wantCode: 400},
		{name: "token missing", token: "s3cret", body: good, wantCode: 401},
		{name: "token wrong", token: "s3cret", auth: "Bearer nope", body: good, wantCode: 401},
		{name: "token right", token: "s3cret", auth: "Bearer s3cret", body: good, wantCode: 200, wantQueued: 1},
		{name: "too large", body: strings.Repeat(good+"\n", 200000), wantCode: 413},
		{name: "queue full for now", queue: 3, prefill: 2, body: good + "\n" + good2, wantCode: 503, wantQueued: 2},
		// The good lines fit an empty queue; good and rejected lines together do
		// not: rejected lines take no room, so this is accepted (was a 429 forever).
		{name: "rejects take no room", queue: 2, body: good + "\nnot json\nnot json\n" + good2, wantCode: 200, wantQueued: 2},
		{name: "can never fit", queue: 1, body: good + "\n" + good2, wantCode: 413, wantQueued: 0, wantBody: `{"accepted":0,"rejected":[],"error":"2 good records in one request can never fit: the limit is 1 records; split the request"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := NewPush(PushConfig{Addr: "unused", Token: tc.token, Queue: tc.queue, Logger: discard()})
			if err != nil {
				t.Fatal(err)
			}
			for range tc.prefill {
				p.q <- readResult{}
			}
			srv := httptest.NewServer(p.Handler())
			defer srv.Close()
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/posts", strings.NewReader(tc.body))
			if tc.ctype != "" {
				req.Header.Set("Content-Type", tc.ctype)
			}
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.wantCode {
				t.Errorf("got %d %s, want %d", resp.StatusCode, b, tc.wantCode)
			}
			if tc.wantBody != "" && strings.TrimSpace(string(b)) != tc.wantBody {
				t.Errorf("got body %s\nwant %s", b, tc.wantBody)
			}
			if tc.wantCode == 503 && resp.Header.Get("Retry-After") != "1" {
				t.Errorf("got Retry-After %q, want 1", resp.Header.Get("Retry-After"))
			}
			if !json.Valid(b) {
				t.Errorf("answer %q is not JSON", b)
			}
			if n := len(p.q); n != tc.wantQueued {
				t.Errorf("got %d queued, want %d", n, tc.wantQueued)
			}
		})
	}
}

func TestPushThroughPipeline(t *testing.T) {
	listening := make(chan net.Addr, 1)
	p, _ := NewPush(PushConfig{Addr: "127.0.0.1:0", Logger: discard(), OnListen: func(a net.Addr) { listening <- a }})
	pp := runPipe(t, p)
	var addr string
	select {
	case a := <-listening:
		addr = a.String()
	case <-time.After(10 * time.Second):
		t.Fatal("push source did not listen")
	}
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	body := `{"id":"p1","source":"http","author":"a","text":"x","created_at":"2022-10-25T07:10:00Z"}` + "\n" + `{"id":"p1","source":"http","author":"a","text":"x","created_at":"2022-10-25T07:10:00Z"}`
	resp, err = http.Post("http://"+addr+"/v1/posts", "application/x-ndjson", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	got := pp.rec.waitFor(t, 1, 10*time.Second)
	if got[0].ID != "p1" {
		t.Errorf("got %v", ids(got))
	}
	pp.stop()
	if err := <-pp.err; err != context.Canceled {
		t.Errorf("Run after cancel: got %v, want context.Canceled", err)
	}
	pp.err <- nil
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Error("server still answers after shutdown")
	}
}

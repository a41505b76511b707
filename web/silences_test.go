package web

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
)

func TestAPISilences(t *testing.T) {
	now := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	hs := tokenServer(t, Config{Now: func() time.Time { return now },
		Tokens: []Token{{Name: "wall", Secret: "r3ad"}, {Name: "ana", Secret: "wr1te", Write: true}}})
	w := []string{"Authorization", "Bearer wr1te"}
	cases := []struct {
		name, body string
		hdr        []string
		want       int
		wantIn     string
	}{
		{"read token", `{"match":["service=whatsapp"],"duration":"2h","comment":"x"}`, []string{"Authorization", "Bearer r3ad"}, 403, "may only read"},
		{"no matcher", `{"duration":"2h","comment":"maintenance"}`, w, 422, "at least one matcher"},
		{"bad regexp", `{"match":["service=~("],"duration":"2h","comment":"maintenance"}`, w, 422, "service=~("},
		{"no comment", `{"match":["service=whatsapp"],"duration":"2h"}`, w, 422, "comment"},
		{"bad duration", `{"match":["service=whatsapp"],"duration":"soon","comment":"x"}`, w, 422, "duration"},
		{"added", `{"match":["service=whatsapp","symptom=~login|connect"],"duration":"2h","comment":"planned maintenance"}`, w, 201, `"created_by":"ana","comment":"planned maintenance","token":"ana"`},
	}
	var added downwatch.Silence
	for _, c := range cases {
		code, body := postJSON(t, nil, hs.URL+"/api/silences", c.body, c.hdr...)
		if code != c.want || !strings.Contains(body, c.wantIn) {
			t.Errorf("%s: got %d %s, want %d with %s", c.name, code, body, c.want, c.wantIn)
		}
		if code == 201 {
			json.Unmarshal([]byte(body), &added)
		}
	}
	if !added.EndsAt.Equal(now.Add(2*time.Hour)) || len(added.Matchers) != 2 || !added.Matchers[1].Regex {
		t.Fatalf("added silence %+v: want two matchers, the second a regexp, ending at 10:00", added)
	}
	_, body := get(t, hs.URL+"/api/silences", "Authorization", "Bearer r3ad")
	if !strings.Contains(body, added.ID) {
		t.Errorf("GET /api/silences lacks %s: %s", added.ID, body)
	}
	code, body := postJSON(t, nil, hs.URL+"/api/silences/"+added.ID+"/expire", `{}`, w...)
	if code != 200 || !strings.Contains(body, `"expired_by":"ana"`) {
		t.Errorf("expire: got %d %s, want 200 ended by the token's name", code, body)
	}
	if _, body = get(t, hs.URL+"/api/silences", w...); strings.Contains(body, added.ID) {
		t.Errorf("an expired silence is still listed as current: %s", body)
	}
	if _, body = get(t, hs.URL+"/api/silences?state=all", w...); !strings.Contains(body, added.ID) {
		t.Errorf("?state=all lacks the expired silence: %s", body)
	}
	if code, _ := postJSON(t, nil, hs.URL+"/api/silences/0123/expire", `{}`, w...); code != 404 {
		t.Errorf("expiring an unknown silence: got %d, want 404", code)
	}
}

func TestSilenceForm(t *testing.T) {
	hs := tokenServer(t, Config{})
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Get(hs.URL + "/silences")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfRE.FindSubmatch(b)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("silences page: %d, CSRF field found %v", resp.StatusCode, m != nil)
	}
	form := url.Values{"match": {"service=gmail\r\nregion=DE"}, "duration": {"90m"}, "by": {"bo"}, "comment": {"mail migration"}}
	if resp, _ = c.PostForm(hs.URL+"/silences", form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("form without CSRF token: got %d, want 403", resp.StatusCode)
	}
	form.Set("csrf", string(m[1]))
	resp, err = c.PostForm(hs.URL+"/silences", form)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"<code>service=gmail</code>", "<code>region=DE</code>", "mail migration", "Expire now", ">active<"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("silences page after the form lacks %q", want)
		}
	}
}

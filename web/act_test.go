package web

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/downwatch/downwatch"
)

func postJSON(t *testing.T, c *http.Client, u, body string, hdr ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestAPIActions(t *testing.T) {
	st := testStore(t)
	seed(t, st)
	_, hs := testServer(t, st, "")
	wa := hs.URL + "/api/incidents/whatsapp.20221025T0705Z"

	cases := []struct {
		name, path, body string
		want             int
		wantIn           string
	}{
		{"acknowledge", "/acknowledge", `{"by":"ana","note":"paging Meta","revision":14}`, 200, `"type":"incident.operator_acknowledged"`},
		{"stale revision", "/resolve", `{"by":"ana","revision":14}`, 409, "revision 15, you saw 14"},
		{"nobody", "/resolve", `{"note":"x"}`, 422, "name of the person"},
		{"false alarm without reason", "/false-alarm", `{"by":"ana"}`, 422, "needs a reason"},
		{"unknown field", "/resolve", `{"by":"ana","who":"x"}`, 400, "unknown field"},
		{"unknown action", "/explode", `{"by":"ana"}`, 404, "no action"},
		{"missing incident", hs.URL + "/api/incidents/whatsapp.20221025T0000Z/resolve", `{"by":"ana"}`, 404, "not found"},
		{"resolve", "/resolve", `{"by":"ana","note":"Meta says fixed","revision":15}`, 200, `"state":"resolved"`},
		{"merge across services", "/merge", `{"by":"ana","other":"instagram.20221025T0709Z"}`, 422, "link them as related"},
		{"link", "/link", `{"by":"ana","other":"x.20221025T0231Z"}`, 200, `"type":"incident.linked"`},
		{"reopen", "/reopen", `{"by":"bo","note":"still failing in IN"}`, 200, `"type":"incident.reopened"`},
	}
	for _, c := range cases {
		u := wa + c.path
		if strings.HasPrefix(c.path, "http") {
			u = c.path
		}
		code, body := postJSON(t, nil, u, c.body)
		if code != c.want || !strings.Contains(body, c.wantIn) {
			t.Errorf("%s: got %d %s, want %d containing %s", c.name, code, body, c.want, c.wantIn)
		}
	}
	// A form post (not JSON) to the API is refused: another site could send one.
	req, _ := http.NewRequest(http.MethodPost, wa+"/resolve", strings.NewReader("by=mallory"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("form-encoded API post: got %d, want 415", resp.StatusCode)
	}
	_, body := get(t, wa)
	var inc downwatch.Incident
	if err := json.Unmarshal([]byte(body), &inc); err != nil {
		t.Fatal(err)
	}
	if inc.State != downwatch.StateAcknowledged || inc.OperatorAck == nil || inc.Resolution != nil || len(inc.Actions) != 4 {
		t.Errorf("after ack, resolve, link, reopen: state %s operator_ack %v resolution %v actions %d; want acknowledged (the company's), ana's ack, none, 4",
			inc.State, inc.OperatorAck, inc.Resolution, len(inc.Actions))
	}
	if len(inc.Related) != 2 {
		t.Errorf("related = %v, want instagram's and the linked x incident", inc.Related)
	}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([0-9a-f]{32})"`)

func TestFormActionNeedsCSRF(t *testing.T) {
	st := testStore(t)
	seed(t, st)
	_, hs := testServer(t, st, "")
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	page := hs.URL + "/incidents/instagram.20221025T0709Z"
	resp, err := c.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfRE.FindSubmatch(b)
	if m == nil {
		t.Fatalf("the incident page has no action form with a CSRF token:\n%s", b)
	}
	form := url.Values{"action": {"false-alarm"}, "by": {"ana"}, "note": {"a football match"}, "revision": {"6"}}

	// Without the token, with a wrong one, or from another site: refused.
	bad := []struct {
		name string
		csrf string
		site string
	}{{"no token", "", ""}, {"wrong token", strings.Repeat("0", 32), ""}, {"cross-site", string(m[1]), "cross-site"}}
	for _, x := range bad {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		if x.csrf != "" {
			f.Set("csrf", x.csrf)
		}
		req, _ := http.NewRequest(http.MethodPost, page+"/actions", strings.NewReader(f.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if x.site != "" {
			req.Header.Set("Sec-Fetch-Site", x.site)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: got %d, want 403", x.name, resp.StatusCode)
		}
	}
	form.Set("csrf", string(m[1]))
	resp, err = c.PostForm(page+"/actions", form)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/incidents/instagram.20221025T0709Z" {
		t.Fatalf("form post: got %d at %s, want the incident page again", resp.StatusCode, resp.Request.URL.Path)
	}
	for _, want := range []string{"Marked a false alarm by ana", "a football match", "What people did", `value="ana"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the incident page after the form lacks %q", want)
		}
	}
	inc, err := st.Incident(t.Context(), "instagram.20221025T0709Z")
	if err != nil {
		t.Fatal(err)
	}
	if inc.State != downwatch.StateResolved || inc.FalseAlarm == nil || inc.Revision != 7 {
		t.Errorf("stored: state %s false_alarm %v revision %d; want resolved, ana's reason, 7", inc.State, inc.FalseAlarm, inc.Revision)
	}
}

package web

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/downwatch/downwatch"
)

// POST /api/forget removes an author's posts from every stored incident, as
// downwatch forget does: emre_k complained about WhatsApp and about Instagram.
func TestAPIForget(t *testing.T) {
	st := testStore(t)
	seed(t, st)
	_, hs := testServer(t, st, "")
	u := hs.URL + "/api/forget"

	code, body := postJSON(t, nil, u, `{"author":"@Emre_K"}`)
	if code != http.StatusOK {
		t.Fatalf("forget: %d %s", code, body)
	}
	var got forgetResponse
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range got.Posts {
		ids = append(ids, p.Incident+"/"+p.ID)
	}
	slices.Sort(ids)
	if want := []string{"instagram.20221025T0709Z/1584796001", "whatsapp.20221025T0705Z/1584795412"}; !slices.Equal(ids, want) {
		t.Errorf("removed %v, want %v", ids, want)
	}
	if strings.Contains(body, "çöktü") {
		t.Errorf("the answer carries a post's text: %s", body)
	}

	// The incident no longer holds the post, and is a new revision.
	_, ib := get(t, hs.URL+"/api/incidents/whatsapp.20221025T0705Z")
	var inc downwatch.Incident
	if err := json.Unmarshal([]byte(ib), &inc); err != nil {
		t.Fatal(err)
	}
	for _, p := range inc.SamplePosts {
		if strings.EqualFold(p.Author, "emre_k") {
			t.Errorf("whatsapp still holds %s by %s", p.ID, p.Author)
		}
	}
	if inc.Revision <= 14 || len(inc.SamplePosts) != 5 {
		t.Errorf("revision %d with %d sample posts, want > 14 and 5", inc.Revision, len(inc.SamplePosts))
	}

	// Again: nothing more to remove.
	if code, body := postJSON(t, nil, u, `{"author":"emre_k"}`); code != http.StatusOK || !strings.Contains(body, `"posts":[]`) {
		t.Errorf("second forget: %d %s, want 200 and no posts", code, body)
	}
	if code, _ := postJSON(t, nil, u, `{"author":" @ "}`); code != http.StatusBadRequest {
		t.Errorf("no author: %d, want 400", code)
	}

	// With tokens, only a write token may forget.
	_, locked := testServer(t, st, "s3cret")
	if code, _ := postJSON(t, nil, locked.URL+"/api/forget", `{"author":"priya_k"}`); code != http.StatusUnauthorized {
		t.Errorf("forget without a token: %d, want 401", code)
	}
	if code, _ := postJSON(t, nil, locked.URL+"/api/forget", `{"author":"priya_k"}`, "Authorization", "Bearer s3cret"); code != http.StatusOK {
		t.Errorf("forget with the write token: %d, want 200", code)
	}
}

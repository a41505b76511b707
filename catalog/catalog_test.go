package catalog

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/downwatch/downwatch"
)

// contractIDs are the ids docs/CONTRACT.md §4 requires in the default catalog.
var contractIDs = strings.Fields(`whatsapp facebook instagram messenger threads x youtube google gmail
google-cloud outlook microsoft-365 teams azure xbox-live aws cloudflare github slack discord zoom
telegram signal icloud netflix spotify disney-plus prime-video twitch tiktok snapchat reddit linkedin
pinterest chatgpt playstation-network steam roblox fortnite paypal stripe shopify uber jio airtel
vodafone att verizon t-mobile xfinity sbi hdfc-bank upi paytm phonepe bluesky`)

func TestDefaultHasContractIDs(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatalf("Default: %v", err)
	}
	ids := c.ServiceIDs()
	for _, id := range contractIDs {
		s, ok := c.Service(id)
		if !ok {
			t.Errorf("Service(%q): got missing, want present", id)
			continue
		}
		if !slices.Contains(ids, id) {
			t.Errorf("ServiceIDs() lacks %q", id)
		}
		if s.Name == "" || len(s.Names) == 0 {
			t.Errorf("service %q: got name %q and %d names, want both", id, s.Name, len(s.Names))
		}
		if len(s.Official) == 0 {
			t.Errorf("service %q: got no official accounts, want some", id)
		}
	}
}

func TestDefaultLookups(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatalf("Default: %v", err)
	}
	for _, tc := range []struct {
		handle string
		news   bool
		off    []string
	}{
		{"ANI", true, nil},
		{"@ani", true, nil},
		{"Reuters", true, nil},
		{"@WhatsApp", false, []string{"whatsapp"}},
		{"meta", false, []string{"whatsapp", "facebook", "instagram", "messenger", "threads"}},
		{"wabetainfo", false, nil},
		{"Support", false, []string{"x"}},
		{"@githubstatus", false, []string{"github"}},
		{"CLOUDFLAREHELP", false, []string{"cloudflare"}},
		{"awssupport", false, []string{"aws"}},
	} {
		if got := c.IsNewsAgency(tc.handle); got != tc.news {
			t.Errorf("IsNewsAgency(%q) = %v, want %v", tc.handle, got, tc.news)
		}
		if got := c.OfficialFor(tc.handle); !slices.Equal(got, tc.off) {
			t.Errorf("OfficialFor(%q) = %v, want %v", tc.handle, got, tc.off)
		}
	}
	gh, _ := c.Service("github")
	if gh.StatusPage != "https://www.githubstatus.com" {
		t.Errorf("github status page = %q, want https://www.githubstatus.com", gh.StatusPage)
	}
	gh.Names[0] = "mutated"
	if again, _ := c.Service("github"); again.Names[0] == "mutated" {
		t.Errorf("Service returned the catalog's own slices, want a copy")
	}
	if _, ok := c.Service("nope"); ok {
		t.Errorf("Service(nope): got present, want missing")
	}
}

func writeTemp(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "my-catalog.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadExtend(t *testing.T) {
	path := writeTemp(t, `
services:
  - id: whatsapp
    names: [WA app]
    official: [WhatsAppStatus]
  - id: lichess
    name: Lichess
    names: [Lichess, lichess.org]
    official: [lichess]
news_agencies: [MyWire]
`)
	c, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	wa, _ := c.Service("whatsapp")
	if !slices.Contains(wa.Names, "WhatsApp") || !slices.Contains(wa.Names, "WA app") {
		t.Errorf("whatsapp names = %v, want the default ones plus %q", wa.Names, "WA app")
	}
	if got := c.OfficialFor("whatsappstatus"); !slices.Equal(got, []string{"whatsapp"}) {
		t.Errorf("OfficialFor(whatsappstatus) = %v, want [whatsapp]", got)
	}
	if got := c.OfficialFor("Meta"); !slices.Contains(got, "whatsapp") {
		t.Errorf("OfficialFor(Meta) = %v, want it to keep whatsapp", got)
	}
	if _, ok := c.Service("github"); !ok {
		t.Errorf("extend dropped github, want the default services kept")
	}
	if !c.IsNewsAgency("mywire") || !c.IsNewsAgency("ANI") {
		t.Errorf("news agencies: got mywire=%v ANI=%v, want both", c.IsNewsAgency("mywire"), c.IsNewsAgency("ANI"))
	}
	m, err := NewMatcher(c)
	if err != nil {
		t.Fatalf("NewMatcher: %v", err)
	}
	for text, want := range map[string]string{
		"lichess is down":      "lichess/complaint",
		"#LichessDown":         "lichess/complaint",
		"WA app not working":   "whatsapp/complaint",
		"WhatsApp not working": "whatsapp/complaint",
	} {
		if got := hitString(m.Match(&downwatch.Post{Author: "a", Source: "x", Text: text}, nil)); got != want {
			t.Errorf("Match(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestLoadReplace(t *testing.T) {
	path := writeTemp(t, `mode: replace
services:
  - id: intranet
    names: [Intranet]
    ambiguous: true
    aliases: [ACME intranet]
news_agencies: [ANI]
`)
	c, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got := c.ServiceIDs(); !slices.Equal(got, []string{"intranet"}) {
		t.Errorf("ServiceIDs() = %v, want [intranet]", got)
	}
	s, _ := c.Service("intranet")
	if s.Name != "Intranet" || !s.Ambiguous {
		t.Errorf("intranet = %+v, want name defaulted to Intranet and ambiguous", s)
	}
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		name     string
		body     string
		wantLine int
		wantMsg  string
	}{
		{"bad yaml", "services:\n  - id: a\n    names: [a\n", -1, ""}, // yaml.v3 decides the line
		{"bad indentation", "services:\n  - id: a\n    names: [a]\n   official: [b]\n", -1, ""},
		{"bad slug", "services:\n  - id: whats app\n    names: [x]\n", 2, "lowercase slug"},
		{"upper slug", "services:\n  - id: WhatsApp\n    names: [x]\n", 2, "lowercase slug"},
		{"duplicate id", "services:\n  - id: foo\n    names: [a]\n  - id: foo\n    names: [b]\n", 4, "duplicate service id"},
		{"no names", "services:\n  - id: brandnew\n    name: Brand New\n", 2, "no names"},
		{"no id", "services:\n  - names: [a]\n", 2, "no id"},
		{"unknown field", "services:\n  - id: foo\n    names: [a]\n    nmes: [b]\n", 4, "unknown service field"},
		{"unknown top", "servces: []\n", 1, "unknown top-level"},
		{"bad mode", "mode: merge\nservices: []\n", 1, "mode must be"},
		{"wrong type", "services:\n  - id: foo\n    names: a-string\n", 3, ""},
		{"bad status page", "services:\n  - id: foo\n    names: [a]\n    status_page: not a url\n", 4, "status_page"},
		{"bad handle", "services:\n  - id: foo\n    names: [a]\n    official: [\"two words\"]\n", 4, "not a handle"},
		{"empty", "", 0, "empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeTemp(t, tc.body)
			_, err := Load(path)
			if err == nil {
				t.Fatalf("Load: got no error, want one")
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("Load: got %v, want an error wrapping ErrInvalid", err)
			}
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("Load: got %T, want *FileError", err)
			}
			if fe.File != path || !strings.Contains(err.Error(), path) {
				t.Errorf("Load: got %q, want it to name %s", err, path)
			}
			if (tc.wantLine < 0 && fe.Line <= 0) || (tc.wantLine >= 0 && fe.Line != tc.wantLine) {
				t.Errorf("Load: got line %d (%v), want line %d", fe.Line, err, tc.wantLine)
			}
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("Load: got %q, want it to contain %q", err, tc.wantMsg)
			}
		})
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("Load(missing): got %v, want an error naming the file", err)
	}
}

func TestLexiconValid(t *testing.T) {
	lx, err := parseLexicon("lexicon.yaml", lexiconYAML)
	if err != nil {
		t.Fatalf("parseLexicon: %v", err)
	}
	// The symptom vocabulary is part of the contract (docs/CONTRACT.md §3, §5):
	// the lexicon declares it and Symptoms returns it, in this order.
	want := []string{"send-messages", "receive-messages", "login", "connect", "load", "payments", "calls", "upload", "notifications", "search", "stream"}
	if !slices.Equal(lx.Symptoms, want) {
		t.Errorf("lexicon symptoms = %v, want %v", lx.Symptoms, want)
	}
	if got := Symptoms(); !slices.Equal(got, want) {
		t.Errorf("Symptoms() = %v, want %v", got, want)
	}
	langs := map[string]bool{}
	for _, g := range lx.Outage {
		langs[g.Lang] = true
	}
	for _, l := range strings.Fields("en bn hi es pt fr de it tr ar id ja ru ur ko zh nl pl tl") {
		if !langs[l] {
			t.Errorf("lexicon has no outage phrases for %s", l)
		}
	}
	_, err = parseLexicon("bad.yaml", []byte("symptoms: [a]\noutage:\n  - symptoms: [b]\n    phrases: [x]\n"))
	if err == nil || !strings.Contains(err.Error(), `unknown symptom "b"`) {
		t.Errorf("parseLexicon(unknown symptom): got %v, want an error naming it", err)
	}
}

func TestNormalize(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"ＷｈａｔｓＡｐｐ", "whatsapp"},
		{"WHATSAPP  is\tDOWN", "whatsapp is down"},
		{"can’t", "can't"},
		{"ÇALIŞMIYOR", "çalişmiyor"},
		{"çalışmıyor", "çalişmiyor"},
		{"İnstagram", "instagram"},
		{"Störung", "störung"},
		{"ﾜｯﾂｱｯﾌﾟ", "ワッツアップ"},
		{"أستطيع إرسال", "استطیع ارسال"},
		{"হোয়াটস\u200dঅ্যাপ", normalizeString("হোয়াটসঅ্যাপ")},
	} {
		if got := normalizeString(tc.in); got != tc.want {
			t.Errorf("normalizeString(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

package ingest

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"hash/fnv"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/ianaindex"

	"github.com/downwatch/downwatch"
)

// Why a parser of our own and not github.com/mmcdole/gofeed: it is the only
// feed parser the module proxy serves here (gorilla/feeds writes feeds), and the
// copy served is flagged as not an approved release; it brings goquery,
// cascadia, x/net and json-iterator for what encoding/xml, encoding/json and
// x/text (already a dependency) do; and the two real-world cases issue 14 names
// would still need code of our own: a windows-1252 document without an
// encoding declaration is invalid UTF-8 to any XML decoder, and Go's time.Parse
// reads "PDT" as UTC. What is read: RSS 0.9x and 2.0 (<rss><channel><item>),
// RSS 1.0 (<rdf:RDF><item>, dc:date), Atom 1.0 and 0.3 (<feed><entry>; text,
// html and xhtml content, Atom 0.3's escaped and xml modes and
// issued/modified dates) and JSON Feed 1.0/1.1.

// feedItem is an RSS item, an Atom entry or a JSON Feed item, reduced to what a
// Post needs.
type feedItem struct {
	id, link, title, body, date string
}

func (it feedItem) post(host string, now time.Time) (downwatch.Post, bool) {
	title, body := htmlText(it.title), htmlText(it.body)
	text := title
	if body != "" && body != title {
		if text != "" {
			text += "\n"
		}
		text += body
	}
	id := strings.TrimSpace(it.id)
	if id == "" {
		id = strings.TrimSpace(it.link)
	}
	switch {
	case id == "" && text == "":
		return downwatch.Post{}, false
	case id == "":
		// Neither guid nor link (RSS allows an item of a description alone): the
		// text names it.
		h := fnv.New64a()
		h.Write([]byte(text))
		id = host + ":text-" + strconv.FormatUint(h.Sum64(), 16)
	case !strings.Contains(id, "://") && !strings.HasPrefix(id, "urn:") && !strings.HasPrefix(id, "tag:"):
		id = host + ":" + id
	}
	at, ok := parseFeedTime(it.date)
	if !ok {
		at = now
	}
	return downwatch.Post{ID: id, Source: "rss", Author: host, Text: downwatch.CleanText(text), CreatedAt: at, URL: strings.TrimSpace(it.link)}, true
}

var feedTimeLayouts = []string{
	time.RFC1123Z, time.RFC1123, time.RFC3339Nano,
	"Mon, 2 Jan 2006 15:04:05 -0700", "Mon, 2 Jan 2006 15:04:05 MST",
	"Mon, _2 Jan 2006 15:04:05 -0700", "Mon, 2 Jan 2006 15:04 -0700", "Mon, 2 Jan 2006 15:04 MST",
	"Mon, 2 Jan 06 15:04:05 -0700", "Mon, 2 Jan 06 15:04:05 MST",
	"2 Jan 2006 15:04:05 -0700", "2 Jan 2006 15:04:05 MST", "Mon, 02 Jan 2006 15:04:05 Z",
	"Monday, 2 Jan 2006 15:04:05 MST", "Mon Jan 2 15:04:05 MST 2006",
	"2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05", "2006-01-02 15:04:05 -0700", "2006-01-02",
}

// zoneOffsets are the zone names RFC 822 defines (and a few more in common use),
// in hours east of UTC. time.Parse gives any other name an offset of zero.
var zoneOffsets = map[string]float64{
	"UT": 0, "UTC": 0, "GMT": 0, "Z": 0,
	"EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
	"AKST": -9, "AKDT": -8, "HST": -10, "BST": 1, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3,
	"WET": 0, "WEST": 1, "JST": 9, "KST": 9, "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13,
}

// parseFeedTime reads the dates feeds write (RFC 822 in its variants with
// numeric zones or zone names, RFC 3339), as UTC.
func parseFeedTime(s string) (time.Time, bool) {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return time.Time{}, false
	}
	for _, l := range feedTimeLayouts {
		t, err := time.Parse(l, s)
		if err != nil || t.Year() < 1970 || t.Year() > 9999 {
			continue
		}
		if name, off := t.Zone(); off == 0 && strings.Contains(l, "MST") {
			h, known := zoneOffsets[strings.ToUpper(name)]
			if !known {
				continue // an unknown zone name is no time: the poll time is truer than a guess
			}
			t = t.Add(-time.Duration(h * float64(time.Hour)))
		}
		return t.UTC(), true
	}
	return time.Time{}, false
}

type rssItem struct {
	Title       string `xml:"title"`
	Link        string `xml:"link"`
	Description string `xml:"description"`
	Encoded     string `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
	GUID        string `xml:"guid"`
	About       string `xml:"http://www.w3.org/1999/02/22-rdf-syntax-ns# about,attr"`
	PubDate     string `xml:"pubDate"`
	Date        string `xml:"http://purl.org/dc/elements/1.1/ date"`
}

func (it rssItem) item() feedItem {
	return feedItem{id: cmpOr(it.GUID, it.About), link: it.Link, title: it.Title,
		body: cmpOr(it.Description, it.Encoded), date: cmpOr(it.PubDate, it.Date)}
}

type rssDoc struct {
	Channel struct {
		Items []rssItem `xml:"item"`
	} `xml:"channel"`
	Items []rssItem `xml:"item"` // RSS 1.0: items are siblings of the channel
}

// atomText is an Atom text construct: type text, html or xhtml (Atom 0.3: mode
// escaped or xml).
type atomText struct {
	Type  string `xml:"type,attr"`
	Mode  string `xml:"mode,attr"`
	Text  string `xml:",chardata"`
	Inner string `xml:",innerxml"`
}

// html returns the construct as HTML (or text) for htmlText.
func (a atomText) html() string {
	if a.Type == "xhtml" || a.Type == "application/xhtml+xml" || a.Mode == "xml" {
		return a.Inner
	}
	return a.Text
}

type atomDoc struct {
	Entries []struct {
		ID       string   `xml:"id"`
		Title    atomText `xml:"title"`
		Summary  atomText `xml:"summary"`
		Content  atomText `xml:"content"`
		Updated  string   `xml:"updated"`
		Publ     string   `xml:"published"`
		Issued   string   `xml:"issued"`
		Modified string   `xml:"modified"`
		Links    []struct {
			Href string `xml:"href,attr"`
			Rel  string `xml:"rel,attr"`
		} `xml:"link"`
	} `xml:"entry"`
}

func (d *atomDoc) items() []feedItem {
	items := make([]feedItem, 0, len(d.Entries))
	for _, e := range d.Entries {
		it := feedItem{id: e.ID, title: e.Title.html(), body: cmpOr(e.Summary.html(), e.Content.html()),
			date: cmpOr(cmpOr(e.Publ, e.Issued), cmpOr(e.Updated, e.Modified))}
		for _, l := range e.Links {
			if l.Rel == "" || l.Rel == "alternate" {
				it.link = l.Href
				break
			}
		}
		items = append(items, it)
	}
	return items
}

type jsonFeed struct {
	Version string `json:"version"`
	Items   []struct {
		ID        json.RawMessage `json:"id"`
		URL       string          `json:"url"`
		Title     string          `json:"title"`
		HTML      string          `json:"content_html"`
		Text      string          `json:"content_text"`
		Summary   string          `json:"summary"`
		Published string          `json:"date_published"`
		Modified  string          `json:"date_modified"`
	} `json:"items"`
}

func parseJSONFeed(data []byte) ([]feedItem, error) {
	var doc jsonFeed
	if err := json.Unmarshal(data, &doc); err != nil || !strings.HasPrefix(doc.Version, "https://jsonfeed.org/version/") {
		return nil, &downwatch.RejectError{Reason: "bad-feed", Detail: "not a JSON Feed (want an object with \"version\": \"https://jsonfeed.org/version/1.1\" and \"items\")"}
	}
	items := make([]feedItem, 0, len(doc.Items))
	for _, it := range doc.Items {
		id := strings.Trim(string(it.ID), `"`) // a string, or a number in some 1.0 feeds
		items = append(items, feedItem{id: id, link: it.URL, title: it.Title,
			body: cmpOr(it.Summary, cmpOr(it.HTML, it.Text)), date: cmpOr(it.Published, it.Modified)})
	}
	return items, nil
}

// parseFeed reads an RSS, Atom or JSON Feed document. A document that is none of
// them is a *downwatch.RejectError.
func parseFeed(data []byte) ([]feedItem, error) {
	if t := bytes.TrimLeft(data, " \t\r\n\ufeff"); len(t) > 0 && t[0] == '{' {
		return parseJSONFeed(t)
	}
	dec := newXMLDecoder(realWorldUTF8(data))
	var root xml.StartElement
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil, &downwatch.RejectError{Reason: "bad-feed", Detail: "not an RSS, Atom or JSON Feed document: " + err.Error()}
		}
		if se, ok := tok.(xml.StartElement); ok {
			root = se
			break
		}
	}
	switch root.Name.Local {
	case "rss", "RDF":
		var doc rssDoc
		if err := dec.DecodeElement(&doc, &root); err != nil {
			return nil, &downwatch.RejectError{Reason: "bad-feed", Detail: "RSS: " + err.Error()}
		}
		items := make([]feedItem, 0, len(doc.Channel.Items)+len(doc.Items))
		for _, it := range append(doc.Channel.Items, doc.Items...) {
			items = append(items, it.item())
		}
		return items, nil
	case "feed":
		var doc atomDoc
		if err := dec.DecodeElement(&doc, &root); err != nil {
			return nil, &downwatch.RejectError{Reason: "bad-feed", Detail: "Atom: " + err.Error()}
		}
		return doc.items(), nil
	}
	return nil, &downwatch.RejectError{Reason: "bad-feed", Detail: fmt.Sprintf("root element <%s> is none of <rss>, <rdf:RDF>, <feed>", truncate(root.Name.Local, 32))}
}

var xmlEncodingDecl = regexp.MustCompile(`^\s*<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']`)

// realWorldUTF8 reads a document that is not valid UTF-8 and declares no other
// encoding (or declares UTF-8 wrongly) as windows-1252, the encoding such feeds
// are written in; a document that declares its encoding is left to the decoder.
func realWorldUTF8(data []byte) []byte {
	if utf8.Valid(data) {
		return data
	}
	if m := xmlEncodingDecl.FindSubmatch(data[:min(len(data), 256)]); m != nil {
		if l := strings.ToLower(string(m[1])); l != "utf-8" && l != "utf8" {
			return data
		}
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(data)
	if err != nil {
		return data
	}
	return out
}

func newXMLDecoder(data []byte) *xml.Decoder {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = false
	dec.Entity = xml.HTMLEntity
	dec.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		enc, err := ianaindex.IANA.Encoding(label)
		if err != nil || enc == nil {
			return nil, fmt.Errorf("unknown charset %q", label)
		}
		return enc.NewDecoder().Reader(r), nil
	}
	return dec
}

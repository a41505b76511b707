package web

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
)

// openAPIDoc is the part of an OpenAPI 3.1 document the tests read.
type openAPIDoc struct {
	OpenAPI string `json:"openapi"`
	Info    struct {
		Title   string `json:"title"`
		Version string `json:"version"`
	} `json:"info"`
	Paths      map[string]map[string]openAPIOp `json:"paths"`
	Components struct {
		Schemas         map[string]openAPISchema `json:"schemas"`
		SecuritySchemes map[string]struct {
			Type   string `json:"type"`
			Scheme string `json:"scheme"`
		} `json:"securitySchemes"`
		Responses map[string]json.RawMessage `json:"responses"`
	} `json:"components"`
	Security []map[string][]string `json:"security"`
}

type openAPIOp struct {
	OperationID string         `json:"operationId"`
	Parameters  []openAPIParam `json:"parameters"`
	RequestBody *struct {
		Content map[string]json.RawMessage `json:"content"`
	} `json:"requestBody"`
	Responses map[string]json.RawMessage `json:"responses"`
}

type openAPIParam struct {
	Name     string `json:"name"`
	In       string `json:"in"`
	Required bool   `json:"required"`
	Schema   struct {
		Enum []string `json:"enum"`
	} `json:"schema"`
}

var refRE = regexp.MustCompile(`"\$ref": "#/components/(schemas|responses)/([A-Za-z]+)"`)

type openAPISchema struct {
	Type       string                     `json:"type"`
	Properties map[string]json.RawMessage `json:"properties"`
	Required   []string                   `json:"required"`
}

func fetchOpenAPI(t *testing.T, base string) (openAPIDoc, []byte) {
	t.Helper()
	resp, body := get(t, base+"/api/openapi.json")
	if resp.StatusCode != 200 {
		t.Fatalf("GET /api/openapi.json: got %d, want 200", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type: got %q, want application/json", ct)
	}
	var doc openAPIDoc
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("/api/openapi.json is not JSON: %v", err)
	}
	return doc, []byte(body)
}

// apiRoutes are the "METHOD /api/..." routes the server registers, from the
// table its mux is built from (without the catch-all that answers 404). A
// route for every method is "ANY /api/...", which no document describes.
func apiRoutes(s *Server) []string {
	var out []string
	for _, rt := range s.routeTable() {
		method, path, ok := strings.Cut(rt.pattern, " ")
		if !ok {
			method, path = "ANY", rt.pattern
		}
		if strings.HasPrefix(path, "/api/") && rt.pattern != apiFallback {
			out = append(out, method+" "+path)
		}
	}
	slices.Sort(out)
	return out
}

func TestOpenAPIDocument(t *testing.T) {
	st := testStore(t)
	_, hs := testServer(t, st, "")
	doc, raw := fetchOpenAPI(t, hs.URL)
	if !strings.HasPrefix(doc.OpenAPI, "3.1.") {
		t.Errorf("openapi: got %q, want 3.1.x", doc.OpenAPI)
	}
	if doc.Info.Title == "" || doc.Info.Version == "" || len(doc.Paths) == 0 {
		t.Errorf("info.title %q, info.version %q, %d paths: OpenAPI requires the first two, and the API has paths", doc.Info.Title, doc.Info.Version, len(doc.Paths))
	}
	if b := doc.Components.SecuritySchemes["bearer"]; b.Type != "http" || b.Scheme != "bearer" {
		t.Errorf("securitySchemes.bearer: got %+v, want http bearer", b)
	}
	if !slices.ContainsFunc(doc.Security, func(m map[string][]string) bool { _, ok := m["bearer"]; return ok }) {
		t.Error("security does not name bearer")
	}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			where := method + " " + path
			if op.OperationID == "" || len(op.Responses) == 0 {
				t.Errorf("%s: needs an operationId and responses", where)
			}
			for _, name := range pathParams(path) {
				if !slices.ContainsFunc(op.Parameters, func(p openAPIParam) bool { return p.Name == name && p.In == "path" && p.Required }) {
					t.Errorf("%s: path parameter {%s} is not described as a required path parameter", where, name)
				}
			}
			if method == "post" && (op.RequestBody == nil || op.RequestBody.Content["application/json"] == nil) {
				t.Errorf("%s: a write needs an application/json request body", where)
			}
		}
	}
	// Every $ref points at something the document has.
	for _, ref := range refRE.FindAllStringSubmatch(string(raw), -1) {
		kind, name := ref[1], ref[2]
		_, okS := doc.Components.Schemas[name]
		_, okR := doc.Components.Responses[name]
		if kind == "schemas" && !okS || kind == "responses" && !okR {
			t.Errorf("$ref %s/%s points at nothing", kind, name)
		}
	}
}

func pathParams(path string) []string {
	var out []string
	for _, seg := range strings.Split(path, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			out = append(out, strings.Trim(seg, "{}"))
		}
	}
	return out
}

// The document describes exactly the API routes the server registers, and the
// server's mux really answers each one (not with the "no such API route" of
// its catch-all).
func TestOpenAPIRoutes(t *testing.T) {
	st := testStore(t)
	seed(t, st)
	srv, hs := testServer(t, st, "")
	doc, _ := fetchOpenAPI(t, hs.URL)
	var described []string
	for path, ops := range doc.Paths {
		for method := range ops {
			described = append(described, strings.ToUpper(method)+" "+path)
		}
	}
	slices.Sort(described)
	registered := apiRoutes(srv)
	if len(registered) < 10 {
		t.Fatalf("route table has %d API routes: %v; want the whole API", len(registered), registered)
	}
	for _, r := range registered {
		if !slices.Contains(described, r) {
			t.Errorf("the server has %s, which /api/openapi.json does not describe", r)
		}
	}
	for _, d := range described {
		if !slices.Contains(registered, d) {
			t.Errorf("/api/openapi.json describes %s, which the server does not have", d)
		}
	}
	// Ask the real handler.
	c := &http.Client{Timeout: 5 * time.Second}
	for _, d := range described {
		method, path, _ := strings.Cut(d, " ")
		op := doc.Paths[path][strings.ToLower(method)]
		u := path
		for _, p := range op.Parameters {
			v := "whatsapp"
			if len(p.Schema.Enum) > 0 {
				v = p.Schema.Enum[0]
			}
			u = strings.ReplaceAll(u, "{"+p.Name+"}", v)
		}
		req, _ := http.NewRequest(method, hs.URL+u, strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, u, err)
		}
		var body []byte
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") { // that one never ends
			body, _ = io.ReadAll(resp.Body)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusMethodNotAllowed || strings.Contains(string(body), "no such API route") {
			t.Errorf("%s %s: the server has no such route (%d %s)", method, u, resp.StatusCode, body)
		}
	}
	// And the catch-all says so for one that is not there.
	if _, body := get(t, hs.URL+"/api/nosuch"); !strings.Contains(body, "no such API route") {
		t.Errorf("/api/nosuch: got %q, want the catch-all's answer", body)
	}
}

// Each schema has exactly the properties of the JSON of the Go type it
// describes, and requires only properties that are always there.
func TestOpenAPISchemas(t *testing.T) {
	var doc openAPIDoc
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatal(err)
	}
	tests := map[string]any{
		"Incident":       downwatch.Incident{},
		"Post":           downwatch.Post{},
		"Evidence":       downwatch.Evidence{},
		"Action":         downwatch.Action{},
		"Alert":          downwatch.Alert{},
		"SeriesPoint":    downwatch.SeriesPoint{},
		"Series":         seriesJSON{},
		"Silence":        downwatch.Silence{},
		"Matcher":        downwatch.Matcher{},
		"Precision":      downwatch.Precision{},
		"Service":        serviceJSON{},
		"Share":          shareJSON{},
		"ActionRequest":  actRequest{},
		"ActionResult":   actResponse{},
		"SilenceRequest": silenceRequest{},
	}
	for name, v := range tests {
		t.Run(name, func(t *testing.T) {
			sc, ok := doc.Components.Schemas[name]
			if !ok {
				t.Fatalf("no schema %s", name)
			}
			fields, always := jsonFields(reflect.TypeOf(v))
			var props []string
			for p := range sc.Properties {
				props = append(props, p)
			}
			slices.Sort(props)
			if !slices.Equal(props, fields) {
				t.Errorf("properties: got %v, want the JSON fields %v", props, fields)
			}
			for _, r := range sc.Required {
				if !slices.Contains(always, r) {
					t.Errorf("required %q is omitted when empty (omitempty) or not a field", r)
				}
			}
		})
	}
}

// jsonFields lists the JSON names of t's exported fields, and those without
// omitempty (always present).
func jsonFields(t reflect.Type) (all, always []string) {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		all = append(all, name)
		if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
			always = append(always, name)
		}
	}
	slices.Sort(all)
	return all, always
}

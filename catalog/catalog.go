package catalog

import (
	_ "embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

//go:embed catalog.yaml
var defaultCatalogYAML []byte

// ErrInvalid is wrapped by every error that reports a catalog or lexicon file
// that cannot be used (bad YAML, unknown field, bad id, duplicate id...).
var ErrInvalid = errors.New("catalog: invalid")

// FileError says what is wrong with a catalog file and where. Its message has
// the form "catalog: FILE:LINE: MESSAGE".
type FileError struct {
	File string
	Line int // 1-based; 0 when unknown
	Msg  string
}

func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("catalog: %s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("catalog: %s: %s", e.File, e.Msg)
}

func (e *FileError) Unwrap() error { return ErrInvalid }

// Service is one entry of the catalog.
//
// Names are the spellings that identify the service in text, in every script
// its users write. When Ambiguous is set, every entry of Names is an ordinary
// word ("X", "Threads", "Signal", "Teams") and counts only with stronger
// evidence (see Matcher); Aliases are distinctive spellings ("Twitter",
// "Signal app", "Microsoft Teams") that never need it. For services that are
// not ambiguous, Names and Aliases mean the same.
//
// Hashtags are outage hashtags (#WhatsAppDown): each names the service and says
// it is down. The matcher also derives #<name>down and #<name>outage from every
// Latin name. Official lists the handles that speak for the service (without
// '@', compared case-insensitively).
//
// Nicknames are short forms and abbreviations ("WA", "YT", "Insta") that are
// also ordinary words or other things' initials: like the Names of an
// ambiguous service they count only with stronger evidence, whatever
// Ambiguous says.
type Service struct {
	ID         string   `yaml:"id" json:"id"`
	Name       string   `yaml:"name" json:"name"`
	Names      []string `yaml:"names" json:"names"`
	Aliases    []string `yaml:"aliases,omitempty" json:"aliases,omitempty"`
	Nicknames  []string `yaml:"nicknames,omitempty" json:"nicknames,omitempty"`
	Hashtags   []string `yaml:"hashtags,omitempty" json:"hashtags,omitempty"`
	Official   []string `yaml:"official,omitempty" json:"official,omitempty"`
	StatusPage string   `yaml:"status_page,omitempty" json:"status_page,omitempty"`
	Ambiguous  bool     `yaml:"ambiguous,omitempty" json:"ambiguous,omitempty"`
}

func (s *Service) clone() *Service {
	c := *s
	c.Names = slices.Clone(s.Names)
	c.Aliases = slices.Clone(s.Aliases)
	c.Nicknames = slices.Clone(s.Nicknames)
	c.Hashtags = slices.Clone(s.Hashtags)
	c.Official = slices.Clone(s.Official)
	return &c
}

// Catalog is the set of services downwatch watches and the news agencies whose
// reports count as news. It is immutable once built and safe for concurrent use.
type Catalog struct {
	services []*Service // in file order
	byID     map[string]*Service
	official map[string][]string // folded handle -> service ids
	news     map[string]struct{} // folded handle
	agencies []string
}

// Default returns the embedded default catalog.
func Default() (*Catalog, error) {
	f, err := parseFile("catalog.yaml (embedded)", defaultCatalogYAML)
	if err != nil {
		return nil, err
	}
	return build("catalog.yaml (embedded)", f.services, f.agencies)
}

// Load reads a catalog file (the --catalog flag) with the schema of the embedded
// catalog.yaml. With the top-level "mode: extend" (the default) it is merged
// into the default catalog: a new id adds a service; an existing id extends
// that service (its lists are appended to, deduplicated; name, status_page and
// ambiguous are replaced when given) and news_agencies are added. With
// "mode: replace" the file is the whole catalog. Errors name the file and line.
func Load(path string) (*Catalog, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w (--catalog takes a catalog YAML file; see catalog/catalog.yaml)", err)
	}
	return Parse(path, data)
}

// Parse is Load for a file already in memory; name is used in error messages.
func Parse(name string, data []byte) (*Catalog, error) {
	f, err := parseFile(name, data)
	if err != nil {
		return nil, err
	}
	if f.mode == "replace" {
		return build(name, f.services, f.agencies)
	}
	base, err := parseFile("catalog.yaml (embedded)", defaultCatalogYAML)
	if err != nil {
		return nil, err
	}
	services := base.services
	index := make(map[string]int, len(services))
	for i, s := range services {
		index[s.svc.ID] = i
	}
	for _, s := range f.services {
		i, ok := index[s.svc.ID]
		if !ok {
			index[s.svc.ID] = len(services)
			services = append(services, s)
			continue
		}
		services[i] = merge(services[i], s)
	}
	return build(name, services, append(base.agencies, f.agencies...))
}

// Service returns a copy of the service with the given id.
func (c *Catalog) Service(id string) (*Service, bool) {
	s, ok := c.byID[id]
	if !ok {
		return nil, false
	}
	return s.clone(), true
}

// ServiceIDs returns the ids of all services, in catalog order.
func (c *Catalog) ServiceIDs() []string {
	ids := make([]string, len(c.services))
	for i, s := range c.services {
		ids[i] = s.ID
	}
	return ids
}

// NewsAgencies returns the news agency handles, as written in the catalog.
func (c *Catalog) NewsAgencies() []string { return slices.Clone(c.agencies) }

// IsNewsAgency reports whether handle (with or without a leading '@', any case)
// is one of the catalog's news agencies.
func (c *Catalog) IsNewsAgency(handle string) bool {
	_, ok := c.news[foldHandle(handle)]
	return ok
}

// OfficialFor returns the ids of the services that handle (with or without a
// leading '@', any case) is an official account of, in catalog order; nil if none.
func (c *Catalog) OfficialFor(handle string) []string {
	return slices.Clone(c.official[foldHandle(handle)])
}

// foldHandle lower-cases an account handle and drops a leading '@' and spaces.
func foldHandle(h string) string {
	h = strings.TrimSpace(h)
	h = strings.TrimPrefix(h, "@")
	return strings.ToLower(h)
}

// fileService is a service as read from one file, with what the merge and the
// error messages need to know about its source.
type fileService struct {
	svc          Service
	line         int
	file         string
	hasAmbiguous bool
}

type file struct {
	mode     string
	services []fileService
	agencies []string
}

var (
	topKeys     = []string{"mode", "services", "news_agencies"}
	serviceKeys = []string{"id", "name", "names", "aliases", "nicknames", "hashtags", "official", "status_page", "ambiguous"}
)

// parseFile decodes and validates one catalog file on its own (the merged
// result is validated again by build).
func parseFile(name string, data []byte) (*file, error) {
	ferr := func(line int, format string, args ...any) error {
		return &FileError{File: name, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlError(name, err)
	}
	f := &file{mode: "extend"}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, ferr(0, "empty catalog")
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, ferr(root.Line, "top level must be a mapping with services and news_agencies")
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if !slices.Contains(topKeys, k.Value) {
			return nil, ferr(k.Line, "unknown top-level field %q (want one of %s)", k.Value, strings.Join(topKeys, ", "))
		}
		if l, dup := seen[k.Value]; dup {
			return nil, ferr(k.Line, "field %q given twice (first on line %d)", k.Value, l)
		}
		seen[k.Value] = k.Line
		switch k.Value {
		case "mode":
			if v.Kind != yaml.ScalarNode || (v.Value != "extend" && v.Value != "replace") {
				return nil, ferr(v.Line, "mode must be extend or replace, got %q", v.Value)
			}
			f.mode = v.Value
		case "news_agencies":
			if err := v.Decode(&f.agencies); err != nil {
				return nil, yamlError(name, err)
			}
			for j, a := range f.agencies {
				if !validHandle(a) {
					return nil, ferr(v.Content[j].Line, "news agency %q is not a handle", a)
				}
			}
		case "services":
			if v.Kind != yaml.SequenceNode {
				return nil, ferr(v.Line, "services must be a list")
			}
			ids := map[string]int{}
			for _, sn := range v.Content {
				fs, err := parseService(name, sn)
				if err != nil {
					return nil, err
				}
				if l, dup := ids[fs.svc.ID]; dup {
					return nil, ferr(fs.line, "duplicate service id %q (first on line %d)", fs.svc.ID, l)
				}
				ids[fs.svc.ID] = fs.line
				f.services = append(f.services, fs)
			}
		}
	}
	return f, nil
}

func parseService(name string, n *yaml.Node) (fileService, error) {
	ferr := func(line int, format string, args ...any) error {
		return &FileError{File: name, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	fs := fileService{line: n.Line, file: name}
	if n.Kind != yaml.MappingNode {
		return fs, ferr(n.Line, "a service must be a mapping with id and names")
	}
	lines := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if !slices.Contains(serviceKeys, k.Value) {
			return fs, ferr(k.Line, "unknown service field %q (want one of %s)", k.Value, strings.Join(serviceKeys, ", "))
		}
		if l, dup := lines[k.Value]; dup {
			return fs, ferr(k.Line, "field %q given twice (first on line %d)", k.Value, l)
		}
		lines[k.Value] = k.Line
	}
	if err := n.Decode(&fs.svc); err != nil {
		return fs, yamlError(name, err)
	}
	_, fs.hasAmbiguous = lines["ambiguous"]
	s := &fs.svc
	if _, ok := lines["id"]; !ok {
		return fs, ferr(n.Line, "service has no id")
	}
	if !validID(s.ID) {
		return fs, ferr(lines["id"], "service id %q is not a lowercase slug [a-z0-9-]+", s.ID)
	}
	for _, fl := range []struct {
		field string
		list  []string
	}{{"names", s.Names}, {"aliases", s.Aliases}, {"nicknames", s.Nicknames}, {"hashtags", s.Hashtags}} {
		field := fl.field
		for _, v := range fl.list {
			if strings.TrimSpace(v) == "" {
				return fs, ferr(lines[field], "service %q: empty entry in %s", s.ID, field)
			}
			if normalizeString(v) == "" {
				return fs, ferr(lines[field], "service %q: %s entry %q has nothing to match after normalisation", s.ID, field, v)
			}
		}
	}
	for _, h := range s.Official {
		if !validHandle(h) {
			return fs, ferr(lines["official"], "service %q: official account %q is not a handle", s.ID, h)
		}
	}
	if s.StatusPage != "" {
		u, err := url.Parse(s.StatusPage)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fs, ferr(lines["status_page"], "service %q: status_page %q is not an http(s) URL", s.ID, s.StatusPage)
		}
	}
	return fs, nil
}

// merge extends base with ext (mode: extend).
func merge(base, ext fileService) fileService {
	out := base
	out.svc = *base.svc.clone()
	s := &out.svc
	if ext.svc.Name != "" {
		s.Name = ext.svc.Name
	}
	if ext.svc.StatusPage != "" {
		s.StatusPage = ext.svc.StatusPage
	}
	if ext.hasAmbiguous {
		s.Ambiguous = ext.svc.Ambiguous
	}
	s.Names = appendNew(s.Names, ext.svc.Names)
	s.Aliases = appendNew(s.Aliases, ext.svc.Aliases)
	s.Nicknames = appendNew(s.Nicknames, ext.svc.Nicknames)
	s.Hashtags = appendNew(s.Hashtags, ext.svc.Hashtags)
	s.Official = appendNew(s.Official, ext.svc.Official)
	out.line, out.file = ext.line, ext.file
	return out
}

func appendNew(dst, src []string) []string {
	for _, v := range src {
		if !slices.ContainsFunc(dst, func(d string) bool { return strings.EqualFold(d, v) }) {
			dst = append(dst, v)
		}
	}
	return dst
}

// build validates the merged services and indexes them.
func build(name string, services []fileService, agencies []string) (*Catalog, error) {
	c := &Catalog{
		byID:     make(map[string]*Service, len(services)),
		official: map[string][]string{},
		news:     map[string]struct{}{},
	}
	if len(services) == 0 {
		return nil, &FileError{File: name, Msg: "catalog has no services"}
	}
	for _, fs := range services {
		s := fs.svc.clone()
		if len(s.Names) == 0 {
			return nil, &FileError{File: fs.file, Line: fs.line, Msg: fmt.Sprintf("service %q has no names (at least one is needed)", s.ID)}
		}
		if s.Name == "" {
			s.Name = s.Names[0]
		}
		if _, dup := c.byID[s.ID]; dup {
			return nil, &FileError{File: fs.file, Line: fs.line, Msg: fmt.Sprintf("duplicate service id %q", s.ID)}
		}
		c.byID[s.ID] = s
		c.services = append(c.services, s)
		for _, h := range s.Official {
			k := foldHandle(h)
			if !slices.Contains(c.official[k], s.ID) {
				c.official[k] = append(c.official[k], s.ID)
			}
		}
	}
	for _, a := range agencies {
		k := foldHandle(a)
		if _, dup := c.news[k]; dup {
			continue
		}
		c.news[k] = struct{}{}
		c.agencies = append(c.agencies, a)
	}
	return c, nil
}

func validID(id string) bool {
	if id == "" || id[0] == '-' || id[len(id)-1] == '-' {
		return false
	}
	for i := 0; i < len(id); i++ {
		b := id[i]
		if (b < 'a' || b > 'z') && (b < '0' || b > '9') && b != '-' {
			return false
		}
	}
	return true
}

// validHandle accepts account handles of the sources downwatch reads: letters,
// digits, '_', '.', '-' (Bluesky handles are domain names), optionally with a
// leading '@'.
func validHandle(h string) bool {
	h = strings.TrimPrefix(h, "@")
	if h == "" || len(h) > 253 {
		return false
	}
	for _, r := range h {
		ok := r == '_' || r == '.' || r == '-' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if !ok {
			return false
		}
	}
	return true
}

// yamlError turns a yaml.v3 error into a FileError with the line it names.
func yamlError(name string, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		line, msg := splitYAMLLine(te.Errors[0])
		return &FileError{File: name, Line: line, Msg: msg}
	}
	line, msg := splitYAMLLine(strings.TrimPrefix(err.Error(), "yaml: "))
	return &FileError{File: name, Line: line, Msg: msg}
}

// splitYAMLLine splits "line 12: message" into 12 and "message".
func splitYAMLLine(s string) (int, string) {
	rest, ok := strings.CutPrefix(s, "line ")
	if !ok {
		return 0, s
	}
	num, msg, ok := strings.Cut(rest, ": ")
	if !ok {
		return 0, s
	}
	n, err := strconv.Atoi(num)
	if err != nil {
		return 0, s
	}
	return n, msg
}

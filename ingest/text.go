package ingest

import (
	"html"
	"strings"
	"unicode"
)

// htmlText turns an HTML fragment (a Mastodon status, an RSS description) into
// plain text: tags removed, entities decoded, <br> and block ends (</p>, </div>,
// </li>, headings) as newlines, script and style content dropped, runs of blank
// lines and spaces collapsed. It never fails; text that is not HTML comes back
// with its entities decoded.
func htmlText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return strings.TrimSpace(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for len(s) > 0 {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		s = s[i:]
		if strings.HasPrefix(s, "<!--") {
			if j := strings.Index(s, "-->"); j >= 0 {
				s = s[j+3:]
			} else {
				s = ""
			}
			continue
		}
		j := strings.IndexByte(s, '>')
		if j < 0 || !isTagStart(s) {
			// A lone '<' is text.
			b.WriteByte('<')
			s = s[1:]
			continue
		}
		tag := s[1:j]
		s = s[j+1:]
		name, closing := tagName(tag)
		switch name {
		case "script", "style":
			if !closing {
				end := "</" + name
				if k := indexFold(s, end); k >= 0 {
					s = s[k:]
				} else {
					s = ""
				}
			}
		case "br":
			b.WriteByte('\n')
		case "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "ul", "ol":
			if closing || name == "p" {
				b.WriteByte('\n')
			}
		}
	}
	return tidy(html.UnescapeString(b.String()))
}

func isTagStart(s string) bool {
	if len(s) < 2 {
		return false
	}
	c := s[1]
	return c == '/' || c == '!' || c == '?' || (c|0x20 >= 'a' && c|0x20 <= 'z')
}

func tagName(tag string) (string, bool) {
	closing := strings.HasPrefix(tag, "/")
	tag = strings.TrimPrefix(tag, "/")
	end := strings.IndexFunc(tag, func(r rune) bool { return unicode.IsSpace(r) || r == '/' })
	if end >= 0 {
		tag = tag[:end]
	}
	return strings.ToLower(tag), closing
}

// indexFold finds the ASCII string sub in s, ignoring ASCII case.
func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

// tidy trims each line, collapses runs of spaces, and drops blank lines.
func tidy(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	for _, l := range lines {
		if l = strings.Join(strings.Fields(strings.ReplaceAll(l, "\u00a0", " ")), " "); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

package notify

import (
	"strings"
	"unicode/utf8"

	"github.com/downwatch/downwatch"
)

// Discord: an execute-webhook request takes "content" (at most 2000
// characters) and/or up to 10 "embeds". downwatch sends a one-line content
// (the notification text) and one embed:
//
//	{"content":"🔴 WhatsApp incident opened (global): 58 people complaining, peak 41/min, started 2022-10-25 07:05 UTC",
//	 "embeds":[{"title":"WhatsApp incident opened (global)","url":"https://…/incidents/ID","color":14688858,
//	   "description":"Why: 37 distinct complainers in 2m …","timestamp":"2022-10-25T07:08:12Z",
//	   "fields":[{"name":"State","value":"open","inline":true}, …],"footer":{"text":"downwatch · ID@1"}}],
//	 "allowed_mentions":{"parse":[]}}
//
// Discord's limits are kept: content 2000, title 256, description 4096, 25
// fields of name 256 and value 1024 (never empty), footer 2048, and 6000
// characters over the whole embed. "allowed_mentions" with an empty parse list
// means no @everyone, role or user in a post can ping anyone; Markdown in
// what people wrote (posts, acknowledgements, notes) is escaped too.

// Discord's documented limits, in characters.
const (
	DiscordContentMax     = 2000
	DiscordTitleMax       = 256
	DiscordDescriptionMax = 4096
	DiscordFieldsMax      = 25
	DiscordFieldNameMax   = 256
	DiscordFieldValueMax  = 1024
	DiscordFooterMax      = 2048
	DiscordEmbedTotalMax  = 6000
)

// Discord is the body of a Discord webhook message.
type Discord struct {
	Content         string          `json:"content,omitempty"`
	Username        string          `json:"username,omitempty"`
	Embeds          []DiscordEmbed  `json:"embeds,omitempty"`
	AllowedMentions DiscordMentions `json:"allowed_mentions"`
}

// DiscordMentions is allowed_mentions; an empty Parse allows none.
type DiscordMentions struct {
	Parse []string `json:"parse"`
}

// DiscordEmbed is one embed; only the fields downwatch uses.
type DiscordEmbed struct {
	Title       string         `json:"title,omitempty"`
	URL         string         `json:"url,omitempty"`
	Description string         `json:"description,omitempty"`
	Color       int            `json:"color,omitempty"`
	Timestamp   string         `json:"timestamp,omitempty"`
	Fields      []DiscordField `json:"fields,omitempty"`
	Footer      *DiscordFooter `json:"footer,omitempty"`
}

// DiscordField is one name and value of an embed.
type DiscordField struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Inline bool   `json:"inline,omitempty"`
}

// DiscordFooter is an embed's footer.
type DiscordFooter struct {
	Text string `json:"text"`
}

var discordColor = map[string]int{
	downwatch.AlertOpened: 0xE01E5A, downwatch.AlertReopened: 0xE01E5A, downwatch.AlertUpdated: 0xF2A33A,
	downwatch.AlertAcknowledged: 0xECB22E, downwatch.AlertResolved: 0x2EB67D, downwatch.AlertFalseAlarm: 0x2EB67D,
}

// DiscordMessage renders an alert as a Discord webhook message; link, when not
// empty, is the incident's dashboard page.
func DiscordMessage(a downwatch.Alert, serviceName, link string) Discord {
	i := a.Incident
	content := emojiText(a.Type)
	if content != "" {
		content += " "
	}
	content = clip(content+summary(a, serviceName), DiscordContentMax)
	e := DiscordEmbed{
		Title: clip(headline(a, serviceName), DiscordTitleMax), URL: link, Color: discordColor[a.Type],
		Timestamp: a.At.UTC().Format("2006-01-02T15:04:05Z"),
		Footer:    &DiscordFooter{Text: clip("downwatch · "+DeliveryKey(a), DiscordFooterMax)},
	}
	var desc []string
	for _, w := range why(a, 280) {
		desc = append(desc, discordEsc(w))
	}
	for _, s := range samples(i, 3, 200) {
		desc = append(desc, "> "+discordEsc(s))
	}
	e.Description = clip(strings.Join(desc, "\n"), DiscordDescriptionMax)
	for _, f := range facts(i) {
		e.Fields = append(e.Fields, DiscordField{Name: clip(f.name, DiscordFieldNameMax), Value: clip(or(f.value, "–"), DiscordFieldValueMax), Inline: true})
	}
	// The whole embed stays within 6000: the description gives way first.
	if over := embedLen(e) - DiscordEmbedTotalMax; over > 0 {
		e.Description = clip(e.Description, max(utf8.RuneCountInString(e.Description)-over, 1))
	}
	return Discord{Content: content, Username: "downwatch", Embeds: []DiscordEmbed{e}, AllowedMentions: DiscordMentions{Parse: []string{}}}
}

// embedLen is what Discord counts against the 6000-character total.
func embedLen(e DiscordEmbed) int {
	n := utf8.RuneCountInString(e.Title) + utf8.RuneCountInString(e.Description)
	for _, f := range e.Fields {
		n += utf8.RuneCountInString(f.Name) + utf8.RuneCountInString(f.Value)
	}
	if e.Footer != nil {
		n += utf8.RuneCountInString(e.Footer.Text)
	}
	return n
}

// discordEsc backslash-escapes Discord's Markdown, and breaks @ so that no
// text reads as a mention even where allowed_mentions were ignored.
func discordEsc(s string) string {
	return strings.NewReplacer(`\`, `\\`, `*`, `\*`, `_`, `\_`, `~`, `\~`, "`", "\\`", `|`, `\|`, `>`, `\>`, `[`, `\[`, `]`, `\]`, "@", "@\u200b").Replace(s)
}

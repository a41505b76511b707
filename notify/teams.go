package notify

import (
	"strings"

	"github.com/downwatch/downwatch"
)

// Microsoft Teams: an incoming webhook (or a Workflows "post to a channel when a
// webhook request is received" flow) takes a message activity whose one
// attachment is an Adaptive Card:
//
//	{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive",
//	  "content":{"$schema":"http://adaptivecards.io/schemas/adaptive-card.json","type":"AdaptiveCard","version":"1.4",
//	    "body":[{"type":"TextBlock","text":"WhatsApp incident opened (global)","weight":"Bolder","size":"Medium","wrap":true},
//	            {"type":"FactSet","facts":[{"title":"State","value":"open"}, ...]}, ...],
//	    "actions":[{"type":"Action.OpenUrl","title":"Open incident","url":"https://…/incidents/ID"}]}}]}
//
// Teams refuses messages over about 28 KB; texts are clipped well below that.
// What people wrote (posts, acknowledgements, notes) is escaped for the card's
// Markdown subset.

// TeamsCardContentType is the contentType of an Adaptive Card attachment.
const TeamsCardContentType = "application/vnd.microsoft.card.adaptive"

// Teams is the body of a Teams webhook message.
type Teams struct {
	Type        string            `json:"type"` // "message"
	Attachments []TeamsAttachment `json:"attachments"`
}

// TeamsAttachment carries one card.
type TeamsAttachment struct {
	ContentType string       `json:"contentType"`
	ContentURL  *string      `json:"contentUrl"` // always null
	Content     AdaptiveCard `json:"content"`
}

// AdaptiveCard is the card; only the elements downwatch uses.
type AdaptiveCard struct {
	Schema  string        `json:"$schema"`
	Type    string        `json:"type"` // "AdaptiveCard"
	Version string        `json:"version"`
	Body    []CardElement `json:"body"`
	Actions []CardAction  `json:"actions,omitempty"`
	MSTeams *struct {
		Width string `json:"width"`
	} `json:"msteams,omitempty"`
}

// CardElement is a TextBlock or a FactSet.
type CardElement struct {
	Type     string     `json:"type"`
	Text     string     `json:"text,omitempty"`
	Weight   string     `json:"weight,omitempty"`
	Size     string     `json:"size,omitempty"`
	Color    string     `json:"color,omitempty"`
	IsSubtle bool       `json:"isSubtle,omitempty"`
	Wrap     bool       `json:"wrap,omitempty"`
	Facts    []CardFact `json:"facts,omitempty"`
}

// CardFact is one row of a FactSet.
type CardFact struct {
	Title string `json:"title"`
	Value string `json:"value"`
}

// CardAction is an Action.OpenUrl button.
type CardAction struct {
	Type  string `json:"type"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

var teamsColor = map[string]string{
	downwatch.AlertOpened: "Attention", downwatch.AlertReopened: "Attention", downwatch.AlertUpdated: "Warning",
	downwatch.AlertResolved: "Good", downwatch.AlertFalseAlarm: "Good",
}

// TeamsMessage renders an alert as a Teams message with an Adaptive Card; link,
// when not empty, is the incident's dashboard page.
func TeamsMessage(a downwatch.Alert, serviceName, link string) Teams {
	body := []CardElement{
		{Type: "TextBlock", Text: clip(headline(a, serviceName), 200), Weight: "Bolder", Size: "Medium", Color: teamsColor[a.Type], Wrap: true},
	}
	var fs []CardFact
	for _, f := range facts(a.Incident) {
		fs = append(fs, CardFact{Title: f.name, Value: f.value})
	}
	body = append(body, CardElement{Type: "FactSet", Facts: fs})
	for _, w := range why(a, 280) {
		body = append(body, CardElement{Type: "TextBlock", Text: mdEsc(w), Wrap: true})
	}
	for _, s := range samples(a.Incident, 3, 200) {
		body = append(body, CardElement{Type: "TextBlock", Text: mdEsc(s), IsSubtle: true, Wrap: true})
	}
	card := AdaptiveCard{Schema: "http://adaptivecards.io/schemas/adaptive-card.json", Type: "AdaptiveCard", Version: "1.4", Body: body}
	card.MSTeams = &struct {
		Width string `json:"width"`
	}{"Full"}
	if link != "" {
		card.Actions = []CardAction{{Type: "Action.OpenUrl", Title: "Open incident", URL: link}}
	}
	return Teams{Type: "message", Attachments: []TeamsAttachment{{ContentType: TeamsCardContentType, Content: card}}}
}

// mdEsc backslash-escapes the characters the card's Markdown subset gives
// meaning to (links are [text](url)), so a post cannot forge a link or emphasis.
func mdEsc(s string) string {
	return strings.NewReplacer(`\`, `\\`, `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`, "`", "\\`").Replace(s)
}

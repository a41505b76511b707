package notify

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Receivers as people write them: one a --receiver flag, comma-separated
// KEY=VALUE pairs (a value that lists takes more commas), or one entry of the
// configuration file's receiver: list with the same keys:
//
//	--receiver 'name=ops,kind=slack,url=https://hooks.slack.com/services/T/B/X,services=whatsapp,signal,rate-limit=10/m'
//
//	receiver:
//	  - name: ops
//	    kind: slack
//	    url: https://hooks.slack.com/services/T/B/X
//	    services: [whatsapp, signal]
//	    rate-limit: 10/m
//
// Keys ("_" may stand for "-"):
//
//	name          the receiver's name; required, unique (`downwatch notify test NAME`)
//	kind          webhook (the signed alert JSON), slack, teams, discord, pagerduty, email; default webhook
//	url           where to POST (not email; pagerduty defaults to PagerDutyURL)
//	secret        HMAC secret of X-Downwatch-Signature (HTTP kinds)
//	events        alert types; default incident.opened, .updated, .acknowledged, .resolved
//	services      catalog ids; default all
//	regions       ISO countries of regional incidents, "global" for the others; default all
//	min-authors   only incidents with at least this many distinct authors
//	min-peak      only incidents with at least this peak per minute
//	rate-limit    N/PERIOD, e.g. 10/m, 30/h (RateLimit); default none
//	routing-key   pagerduty: the integration key; required
//	severity      pagerduty: critical, error (default), warning, info
//	smtp          email: host:port of the SMTP server; required
//	from, to      email: the sender and the recipients (to lists); required
//	starttls      email: true to require STARTTLS
//	username, password  email: AUTH PLAIN
//	hello         email: the EHLO name; default localhost
//
// A value of url, secret, routing-key or password written as $NAME or ${NAME}
// is read from the environment variable NAME, so the file need not hold secrets.

// receiverKeys are the keys a receiver takes; the listing ones take several values.
var receiverKeys = map[string]bool{ // key → lists
	"name": false, "kind": false, "url": false, "secret": false, "events": true, "services": true, "regions": true,
	"min-authors": false, "min-peak": false, "rate-limit": false, "routing-key": false, "severity": false,
	"smtp": false, "from": false, "to": true, "starttls": false, "username": false, "password": false, "hello": false,
}

// kinds maps a receiver kind to its body format.
var kinds = map[string]string{
	"webhook": FormatJSON, FormatJSON: FormatJSON, FormatSlack: FormatSlack, FormatTeams: FormatTeams,
	FormatDiscord: FormatDiscord, FormatPagerDuty: FormatPagerDuty, FormatEmail: FormatEmail,
}

// ReceiverKinds are the kinds a receiver may be, as written.
var ReceiverKinds = []string{"webhook", FormatSlack, FormatTeams, FormatDiscord, FormatPagerDuty, FormatEmail}

var envRef = regexp.MustCompile(`^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))$`)

// ParseReceiver reads one receiver written as the --receiver flag takes it;
// getenv resolves $NAME values (os.Getenv). The sink it returns has passed
// its own checks (Validate checks the set: names given twice).
func ParseReceiver(spec string, getenv func(string) string) (Sink, error) {
	kv, err := splitSpec(spec)
	if err != nil {
		return Sink{}, err
	}
	one := func(k string) (string, error) {
		v := kv[k]
		if len(v) > 1 {
			return "", fmt.Errorf("%s given twice", k)
		}
		if len(v) == 0 {
			return "", nil
		}
		if m := envRef.FindStringSubmatch(v[0]); m != nil && (k == "url" || k == "secret" || k == "routing-key" || k == "password") {
			env := m[1] + m[2]
			val := getenv(env)
			if val == "" {
				return "", fmt.Errorf("%s=$%s: the environment variable %s is not set", k, env, env)
			}
			return val, nil
		}
		return v[0], nil
	}
	name, err := one("name")
	if err != nil || name == "" {
		return Sink{}, fmt.Errorf("notify: receiver %q: want exactly one name= (every receiver needs a name)", redactSpec(spec))
	}
	fail := func(err error) (Sink, error) { return Sink{}, fmt.Errorf("notify: receiver %s: %w", name, err) }
	s := Sink{Name: name, Events: kv["events"], Filter: Filter{Services: kv["services"], Regions: kv["regions"]}}
	get := map[string]*string{"url": &s.URL, "secret": &s.Secret, "routing-key": &s.RoutingKey, "severity": &s.Severity}
	for k, p := range get {
		if *p, err = one(k); err != nil {
			return fail(err)
		}
	}
	kind, err := one("kind")
	if err != nil {
		return fail(err)
	}
	if kind == "" {
		kind = "webhook"
	}
	if s.Format = kinds[kind]; s.Format == "" {
		return fail(fmt.Errorf("kind %q: want one of %s", kind, strings.Join(ReceiverKinds, ", ")))
	}
	if err := sizes(&s, one); err != nil {
		return fail(err)
	}
	if s.Format == FormatEmail {
		if s.Email, err = emailOf(kv, one); err != nil {
			return fail(err)
		}
	} else if k := slices.IndexFunc([]string{"smtp", "from", "to", "starttls", "username", "password", "hello"}, func(k string) bool { return len(kv[k]) > 0 }); k >= 0 {
		return fail(fmt.Errorf("kind %s takes no email settings", kind))
	}
	if err := s.validate(); err != nil {
		return fail(err)
	}
	return s, nil
}

// sizes reads min-authors, min-peak and rate-limit.
func sizes(s *Sink, one func(string) (string, error)) error {
	if v, err := one("min-authors"); err != nil || v != "" {
		if err != nil {
			return err
		}
		if s.Filter.MinAuthors, err = strconv.Atoi(v); err != nil || s.Filter.MinAuthors < 0 {
			return fmt.Errorf("min-authors=%s: want a whole number", v)
		}
	}
	if v, err := one("min-peak"); err != nil || v != "" {
		if err != nil {
			return err
		}
		if s.Filter.MinPeak, err = strconv.ParseFloat(v, 64); err != nil || !(s.Filter.MinPeak >= 0) || math.IsInf(s.Filter.MinPeak, 0) {
			return fmt.Errorf("min-peak=%s: want a number of complaints per minute", v)
		}
	}
	v, err := one("rate-limit")
	if err != nil || v == "" {
		return err
	}
	s.Limit, err = ParseRateLimit(v)
	return err
}

// emailOf reads an email receiver's settings.
func emailOf(kv map[string][]string, one func(string) (string, error)) (*Email, error) {
	e := &Email{To: kv["to"]}
	for k, p := range map[string]*string{"smtp": &e.Addr, "from": &e.From, "username": &e.Username, "password": &e.Password, "hello": &e.Hello} {
		v, err := one(k)
		if err != nil {
			return nil, err
		}
		*p = v
	}
	v, err := one("starttls")
	if err != nil {
		return nil, err
	}
	if v != "" {
		if e.StartTLS, err = strconv.ParseBool(v); err != nil {
			return nil, fmt.Errorf("starttls=%s: want true or false", v)
		}
	}
	return e, nil
}

// splitSpec splits "k=v,k=v1,v2" into keys and values. A segment starts a new
// key only when it begins with a known key and "="; any other segment
// continues the previous value (a list, or a comma inside a URL), but one that
// looks like an unknown key= is an error, except inside a URL's query.
func splitSpec(spec string) (map[string][]string, error) {
	out := map[string][]string{}
	var key string
	for seg := range strings.SplitSeq(spec, ",") {
		k, v, ok := strings.Cut(seg, "=")
		k = strings.ReplaceAll(strings.ToLower(strings.TrimSpace(k)), "_", "-")
		if _, known := receiverKeys[k]; ok && known {
			key = k
			if v = strings.TrimSpace(v); v != "" || !receiverKeys[k] {
				out[k] = append(out[k], v)
			}
			continue
		}
		switch {
		case ok && keyLike.MatchString(k) && !(key == "url" && strings.Contains(out[key][len(out[key])-1], "?")):
			return nil, fmt.Errorf("notify: receiver: unknown key %q (want one of %s)", k, strings.Join(sortedKeys(), ", "))
		case key == "":
			return nil, fmt.Errorf("notify: receiver %q: want KEY=VALUE pairs separated by commas", redactSpec(spec))
		case receiverKeys[key]:
			if seg = strings.TrimSpace(seg); seg != "" {
				out[key] = append(out[key], seg)
			}
		default:
			out[key][len(out[key])-1] += "," + seg
		}
	}
	return out, nil
}

var keyLike = regexp.MustCompile(`^[a-z][a-z-]*$`)

// redactSpec is the start of a spec for an error message, without what may be secret.
func redactSpec(spec string) string {
	if i := strings.IndexAny(spec, ":/"); i >= 0 {
		spec = spec[:i] + "…"
	}
	return clip(spec, 40)
}

func sortedKeys() []string {
	var ks []string
	for k := range receiverKeys {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

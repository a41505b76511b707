// Package notify delivers downwatch alerts (docs/CONTRACT.md §5) to receivers: webhooks
// with a generic, HMAC-signed JSON body for programs, Slack, Microsoft Teams and Discord
// messages for people, PagerDuty Events API v2 events, and plain-text mail over SMTP;
// each receiver with its own filter and rate limit (routing).
// It reads alerts from the store's capped alert stream, deduplicates every
// incident change per sink in a notification log in Redis (in the spirit of
// Alertmanager's nflog), and resumes after a restart from where each sink
// stopped. It imports the root package downwatch, store (for the stream entry
// type), go-redis and the Prometheus client; never detect, ingest or web.
//
// The other two ways to be told about alerts need no code here: the Kafka topic
// downwatch.alerts (key = incident id, value = the alert JSON) and the Redis
// pub/sub channel "<prefix>alerts" with its stream "<prefix>alerts:stream".
//
// # Using it
//
//	d, err := notify.New(st, notify.Config{
//		Sinks: []notify.Sink{
//			{URL: "https://hooks.example.com/downwatch", Secret: os.Getenv("DOWNWATCH_WEBHOOK_SECRET")},
//			{URL: "https://hooks.slack.com/services/T000/B000/XXXX", Format: notify.FormatSlack,
//				Events: []string{"incident.opened", "incident.acknowledged", "incident.resolved"}},
//		},
//		DashboardURL: "https://downwatch.example.com",
//		Logger:       logger,
//		Registerer:   registry,
//	})
//	...
//	go d.Run(ctx) // until ctx is done
//
// On the command line: downwatch serve --webhook URL [--webhook URL ...]
// [--webhook-secret S | env DOWNWATCH_WEBHOOK_SECRET] [--webhook-format json|slack]
// [--webhook-events incident.opened,incident.resolved], and named receivers:
// downwatch serve --receiver 'name=ops,kind=slack,url=…,services=whatsapp' (or
// the configuration file's receiver: list; receivers.go has every key).
//
// # Routing
//
// A Sink with a Name is a named receiver of one Format (its kind): FormatJSON
// (kind "webhook"), FormatSlack, FormatTeams (teams.go), FormatDiscord
// (discord.go), FormatPagerDuty (pagerduty.go) or FormatEmail (email.go). Each
// takes, of every alert in the stream, in this order:
//
//  1. only its Events (default the four detector types)       else "filtered"
//  2. nothing silenced (docs/CONTRACT.md §9), whatever else   else "silenced"
//  3. only what its Filter takes: services, regions, minimum
//     authors, minimum peak (route.go)                         else "filtered"
//  4. each incident change once (the notification log)        else "duplicate"
//  5. at most RateLimit.Max alerts per RateLimit.Per; an
//     incident's resolution always goes (route.go)             else "rate_limited" (dropped)
//
// and what is left is delivered (or given up, "failed"). Every receiver keeps
// its own cursor, log and rate limit window. (*Dispatcher).Test sends one
// marked test alert to a receiver outside all of this (downwatch notify test NAME).
//
// # The generic body (FormatJSON)
//
// The request is a POST with Content-Type application/json whose body is exactly
// the alert JSON of docs/CONTRACT.md §5, the same bytes whatever the receiver:
//
//	POST /downwatch HTTP/1.1
//	Content-Type: application/json
//	User-Agent: downwatch-notify/1
//	X-Downwatch-Event: incident.opened
//	X-Downwatch-Delivery: whatsapp.20221025T0705Z@1
//	X-Downwatch-Stream-Id: 1666681692000-0
//	X-Downwatch-Signature: sha256=5d41402abc4b2a76b9719d911017c592...
//
//	{"type":"incident.opened","at":"2022-10-25T07:08:12Z","incident":{
//	  "id":"whatsapp.20221025T0705Z","service":"whatsapp","state":"open",
//	  "started_at":"2022-10-25T07:05:00Z","detected_at":"2022-10-25T07:08:12Z",
//	  "peak_per_min":41,"mentions":63,"authors":58,
//	  "languages":{"en":21,"hi":17,"bn":6,"it":5,"tr":4},"countries":{"IN":31,"IT":6,"TR":5,"GB":4},
//	  "symptoms":["send-messages","connect"],
//	  "sample_posts":[{"id":"1585","source":"x","author":"priya_k","text":"whatsapp down? messages not sending","created_at":"2022-10-25T07:06:41Z","lang":"en","country":"IN"}],
//	  "revision":1,
//	  "evidence":{"window":"2m","observed":37,"expected":1.8,"p_value":3.2e-31,"baseline_per_min":0.9},
//	  "updated_at":"2022-10-25T07:08:12Z"}}
//
// Headers:
//
//	X-Downwatch-Event      the alert type: incident.opened, incident.updated,
//	                       incident.acknowledged or incident.resolved by default;
//	                       incident.reopened and a person's incident.operator_acknowledged,
//	                       incident.false_alarm, incident.merged, incident.linked when the
//	                       sink names them in Events (docs/CONTRACT.md §5). An alert whose
//	                       incident carries "silenced" is never sent (outcome "silenced").
//	X-Downwatch-Delivery   "<incident id>@<revision>"; the same value means the same
//	                       incident change (use it to deduplicate on your side)
//	X-Downwatch-Stream-Id  the alert's id in the Redis stream <prefix>alerts:stream
//	X-Downwatch-Signature  "sha256=" + lowercase hex of HMAC-SHA256(secret, raw body);
//	                       sent only when a secret is configured
//
// To check the signature, compute the HMAC over the raw body bytes before
// parsing them, and compare in constant time (Verify does this in Go):
//
//	echo -n "$BODY" | openssl dgst -sha256 -hmac "$DOWNWATCH_WEBHOOK_SECRET"
//
// # The Slack body (FormatSlack)
//
// For a Slack (or Mattermost, Rocket.Chat) incoming webhook. "text" is the
// notification fallback; "blocks" is the message:
//
//	{"text":":red_circle: WhatsApp incident opened (global): 58 people complaining, peak 41/min, started 2022-10-25 07:05 UTC <https://downwatch.example.com/incidents/whatsapp.20221025T0705Z|details>",
//	 "blocks":[
//	  {"type":"header","text":{"type":"plain_text","text":"🔴 WhatsApp incident opened (global)"}},
//	  {"type":"section","fields":[{"type":"mrkdwn","text":"*State*\nopen"},{"type":"mrkdwn","text":"*Started*\n2022-10-25 07:05 UTC"}, ...]},
//	  {"type":"section","text":{"type":"mrkdwn","text":"*Why:* 37 distinct complainers in 2m where 1.8 were expected (p = 3.2e-31)"}},
//	  {"type":"context","elements":[{"type":"mrkdwn","text":"@priya_k: whatsapp down? messages not sending"}]},
//	  {"type":"actions","elements":[{"type":"button","text":{"type":"plain_text","text":"Open incident"},"url":"https://downwatch.example.com/incidents/whatsapp.20221025T0705Z","action_id":"open-incident"}]}]}
//
// Text taken from posts is escaped for mrkdwn (&, <, > become &amp; &lt; &gt;),
// so a post cannot ping @channel or forge a link. Slack messages are signed too
// when a secret is set (Slack ignores the header).
//
// # Delivery semantics
//
// Each sink follows the alert stream on its own goroutine, in stream order, from
// its own cursor: a slow or dead receiver never delays the others.
//
//   - Retries: a network error, a timeout (Config.Timeout, default 10s), 408, 429
//     or 5xx is retried with exponential backoff (1s, 2s, 4s, ... capped at
//     Config.MaxBackoff, default 1 min) up to Config.MaxAttempts (default 6)
//     attempts in all. A 429 or 503 with Retry-After (seconds or an HTTP date)
//     waits at least that long, capped at Config.MaxRetryAfter (default 5 min).
//     Any other 4xx is permanent and not retried. For mail, an SMTP 4xx reply or
//     a network error is retried the same way, a 5xx reply is permanent. After the last attempt the
//     change is given up for that sink: it is logged, counted as
//     downwatch_notify_alerts_total{outcome="failed"}, and the sink moves on; the
//     incident's next change (an update, the resolution) is delivered normally.
//   - Deduplication: an incident change is identified by "<incident id>@<revision>"
//     (revisions grow by one with every change). Before delivering, the sink looks
//     the change up in its notification log; a change already delivered is skipped
//     (outcome "duplicate"), so a change published twice (a detector restart, a
//     replay into the same prefix) reaches each receiver once.
//   - Catch-up: after each alert (delivered, duplicate, filtered, silenced, rate limited or given up) the
//     sink's cursor is set to that alert's stream id. After a restart the sink
//     continues after its cursor, so alerts published while the dispatcher was
//     down are delivered, as far back as the capped stream keeps them (store
//     Config.StreamLen, default about 10000 alerts). A sink seen for the first
//     time starts at the newest alert: history is not replayed into a new
//     receiver.
//   - At least once: the log and the cursor are written after the receiver
//     answered 2xx. A crash in between delivers that one change again after the
//     restart; receivers that must not see a change twice deduplicate on
//     X-Downwatch-Delivery.
//   - Live: the stream is the source of truth; the pub/sub channel only wakes the
//     sinks up (and the stream is also read every 2 s), so no alert is lost while
//     the subscription reconnects.
//
// # Redis keys
//
// P is the store prefix (default "downwatch:"); H is the first 16 hex digits of
// SHA-256 of the webhook URL (SinkHash(URL)) for a plain --webhook, or of
// "receiver:" + its name for a named receiver (so it keeps its history when its
// URL changes). The URL itself, which may carry a secret, is never written to
// Redis or logs; the startup log line and the metrics name sinks by H (and by
// receiver name).
//
//	P notify:H          ZSET    member "<incident id>@<revision>", score = wall-clock
//	                            unix time of the delivery; entries older than
//	                            Config.Retention (default 7 days) are removed on
//	                            every write, and the key expires Retention after
//	                            the last delivery
//	P notify:H:cursor   STRING  stream id of the last alert the sink handled;
//	                            expires Retention after the last write
//
// The log is a ZSET rather than a SET or HASH so that every entry expires on its
// own by wall-clock time on any Redis version (per-field TTLs need Redis 7.4);
// expiry never uses event time, which would delete a 2022 replay's log at once.
//
// For example, with the default prefix:
//
//	$ redis-cli ZRANGE downwatch:notify:9f2c6a1e0b7d4c35 0 -1 WITHSCORES
//	1) "whatsapp.20221025T0705Z@1"
//	2) "1761398892"
//	3) "whatsapp.20221025T0705Z@4"
//	4) "1761398955"
//	$ redis-cli GET downwatch:notify:9f2c6a1e0b7d4c35:cursor
//	"1761398955012-0"
//
// To deliver everything again to one sink, delete both keys; to replay from a
// point, set the cursor to a stream id (XRANGE downwatch:alerts:stream - +).
//
// # Metrics
//
//	downwatch_notify_alerts_total{sink,receiver,outcome}            delivered, duplicate, filtered, silenced, rate_limited, failed
//	downwatch_notify_attempts_total{sink,receiver,result}           attempts by HTTP status, SMTP reply code, or "error"
//	downwatch_notify_last_success_timestamp_seconds{sink,receiver}  wall-clock time of the last delivery
//
// receiver is the receiver's name, "webhook" for the plain --webhook sinks.
package notify

// Package web serves downwatch's dashboard and JSON API over the incidents in
// Redis (docs/CONTRACT.md §8). It imports the root package downwatch and store (for its
// types), the Prometheus client and golang.org/x/text for language and region
// names; never detect, ingest or notify.
//
// Routes:
//
//	GET /                          overview: active incidents, charts, recent incidents
//	GET /incidents/{id}            one incident: timeline, evidence, chart, posts, related
//	GET /services/{id}             one service: chart (?range=6h|24h|7d, ?scale=log), incidents,
//	                               symptoms and regions in percent, official accounts, status page
//	GET /fragments/overview        the overview's body, re-fetched by the live script
//	GET /fragments/incidents/{id}  an incident page's body, likewise
//	GET /fragments/services/{id}   a service page's body, likewise
//	GET /static/...                embedded CSS, JS and icon (no CDN; works offline)
//	GET /api/incidents             {"incidents":[...]} newest first; ?state=active|open|acknowledged|resolved, ?service=ID, ?limit=N (1-1000, default 100)
//	GET /api/incidents/{id}        one incident; 404 {"error":...} when missing
//	GET /api/services/{id}         the service page's content as JSON (?range=)
//	GET /api/openapi.json          OpenAPI 3.1 description of every /api/ route (openapi.json)
//	GET /api/services/{id}/series  {"service":..,"from":..,"to":..,"points":[{"t":..,"authors":..,"baseline":..}]}:
//	                               per-minute distinct complainers and baseline; by default the 24 h
//	                               ending at the newest stored minute (event time), or ?from=&to= (RFC 3339)
//	GET /api/events                server-sent events: every alert as "event: <type>", "id: <stream id>",
//	                               "data: <alert JSON>"; Last-Event-ID (or ?last_event_id=) catches up from
//	                               the capped Redis stream; ": heartbeat" comments every 15 s
//	GET /healthz                   {"status":"ok"} when Redis answers PING, else 503
//	GET /metrics                   Prometheus metrics of the registry in Config.Registry
//
// routeTable in server.go is the one list of routes: the mux is built from it
// and the OpenAPI test checks openapi.json against it. Feeds, silences, the
// report and the actions are in feeds.go, silences.go and act.go.
//
// Times are event times: "now" on the dashboard is the event clock, the newest
// event time among the incidents and series shown, so a replay of 2022 reads as
// it did then.
//
// Post text is hostile input. Pages are rendered with html/template, which
// escapes it; the live script only parses server-rendered (escaped) fragments
// into an inert document or sets textContent; and a Content-Security-Policy
// allows no script but /static/app.js.
//
// Authentication is optional (Config.AuthToken): a bearer token, ?token= (which
// sets an HttpOnly session cookie holding an HMAC of the token, then redirects
// pages to the same address without the token), or that cookie. /healthz and
// /static/ stay open.
package web

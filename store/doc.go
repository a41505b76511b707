// Package store keeps downwatch's state in Redis (github.com/redis/go-redis/v9):
// incidents as JSON, the indexes that list them, related-incident links, per-minute
// series for the dashboard, detector checkpoints, and the alert channel and stream.
// Storing an incident (Save) and publishing its alert (Publish, the Redis alert
// sink of package sink) are separate calls.
// It imports only the root package downwatch and go-redis, and is the only
// package that talks to Redis: every key below is written here.
//
// Key schema (P is the prefix, default "downwatch:"; {svc} is a Redis Cluster hash
// tag so one service's keys share a slot):
//
//	P{svc}:incident:ID      STRING  incident JSON (docs/CONTRACT.md §3)
//	P{svc}:incidents        ZSET    incident ids of the service, score = started_at (unix s)
//	P{svc}:related:ID       SET     ids of incidents related to ID
//	P{svc}:published:ID     STRING  the newest revision of ID on the stream and channel
//	P{svc}:claim:ID         STRING  the writer publishing a revision of ID now (5 s lease)
//	P{svc}:operator:ID      STRING  the revision of the last action a person took on ID (Retention)
//	P{svc}:forgotten:ID     SET     "source/id" of posts removed from ID (privacy.go), for the detector holding it (Retention)
//	P{svc}:series:YYYYMMDD  HASH    one UTC day of per-minute points: field HHMM, value "authors:baseline"
//	P{svc}:series:latest    STRING  the newest unix minute written
//	P{svc}:series           ZSET    the first release's series ("unixmin:authors:baseline"); read, never written
//	Psilences               HASH    silence id -> silence JSON (ended ones kept 7 days)
//	Pincidents              ZSET    every incident id, score = started_at
//	Pactive                 ZSET    open and acknowledged incident ids, score = started_at
//	Pcheckpoint:GROUP:TOPIC:PART  STRING detector checkpoint (state + the offset it covers)
//	Palerts                 pub/sub channel: alert JSON (docs/CONTRACT.md §5)
//	Palerts:stream          STREAM  the same alerts, capped, field "alert"; lets a subscriber catch up
//	                                (trimmed to Config.PostRetention; privacy.go deletes the alerts that carried a removed post)
//	Pcursor:NAME            STRING  a source's resume position (Jetstream's time_us), 7 days
//	Pingest:seen:SOURCE     ZSET    ids an ingester has read, by wall-clock ms, newest 500,000
//	Pnotify:SINK            ZSET    a webhook's deliveries ("incident@revision") by time
//	Pnotify:SINK:cursor     STRING  the alert stream id a webhook has handled up to
//
// Open takes a single Redis (redis://host:port/db) or a Redis Cluster
// (redis+cluster://host:port,host:port): every multi-key command and pipeline of
// the store touches the keys of one service, one slot, per command; Clear (a
// replay's clean start) scans every master.
//
// Incident ids are "<service>.<yyyymmddThhmmZ>" (the onset minute); the service is
// the part before the first dot.
// Expiry is computed from wall-clock time (never event time): resolved incidents
// expire after Config.Retention (and lose their sample posts and acknowledgement
// after Config.PostRetention, privacy.go), series keys Config.SeriesKeep plus two days after
// their last write. A write of the series costs the same however long the series
// is (an HSET into a day's hash), and is sent in pipelined batches bounded by count
// and bytes (Config.SeriesBatch, Config.SeriesBatchBytes).
package store

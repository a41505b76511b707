package store

import "github.com/redis/go-redis/v9"

// saveScript writes one incident revision with compare-and-set. It touches only
// the incident's own keys, which share the {service} hash slot, so it runs on
// Redis Cluster too.
//
// KEYS: 1 incident JSON, 2 the service's incident index, 3 the related set.
// ARGV: 1 revision, 2 JSON, 3 expiry in ms (0: none), 4 index score, 5 id.
//
// Returns 0 when a newer revision is stored (nothing written: the caller is
// stale), 1 when this revision is stored (now or before).
var saveScript = redis.NewScript(`
local rev = tonumber(ARGV[1])
local cur = redis.call('GET', KEYS[1])
local stored = -1
if cur then
  stored = 0
  local ok, obj = pcall(cjson.decode, cur)
  if ok and type(obj) == 'table' and obj['revision'] then stored = tonumber(obj['revision']) end
end
if rev < stored then return 0 end
local ttl = tonumber(ARGV[3])
if rev > stored then
  if ttl > 0 then
    redis.call('SET', KEYS[1], ARGV[2], 'PX', ttl)
    redis.call('PEXPIRE', KEYS[3], ttl)
  else
    redis.call('SET', KEYS[1], ARGV[2])
    redis.call('PERSIST', KEYS[3])
  end
  redis.call('ZADD', KEYS[2], ARGV[4], ARGV[5])
end
return 1
`)

// claimScript decides whether this caller publishes revision ARGV[1] of an
// incident on the alert channel and stream (KEYS: 1 the highest revision
// published, 2 the publish claim; ARGV: 1 revision, 2 claim token, 3 claim
// lease in ms). Both keys are in the incident's {service} slot.
//
// Returns 1 when the revision needs no publishing (it, or a newer one, is
// published), 2 when the caller must publish it (it holds the claim), -1 when
// another writer holds the claim for it (retry later).
var claimScript = redis.NewScript(`
local rev = tonumber(ARGV[1])
local pub = tonumber(redis.call('GET', KEYS[1]) or '-1')
if pub >= rev then return 1 end
local claim = redis.call('GET', KEYS[2])
if claim and claim ~= ARGV[2] then return -1 end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
return 2
`)

// publishedScript records that revision ARGV[1] of an incident is on the stream
// and channel, and releases the claim (KEYS: 1 published, 2 claim; ARGV: 1
// revision, 2 expiry in ms or 0, 3 claim token).
var publishedScript = redis.NewScript(`
local pub = tonumber(redis.call('GET', KEYS[1]) or '-1')
if tonumber(ARGV[1]) > pub then
  if tonumber(ARGV[2]) > 0 then
    redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  else
    redis.call('SET', KEYS[1], ARGV[1])
  end
end
if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
return 1
`)

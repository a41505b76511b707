package store

import (
	"context"
	"testing"
)

func TestClear(t *testing.T) {
	ctx := context.Background()
	outside := testRedis(t) // another prefix: must survive
	r := New(outside.c, Config{Prefix: outside.cfg.Prefix + "replay:"})
	outside.c.Set(ctx, outside.cfg.Prefix+"{x}:incident:x.1", "keep", 0)
	for _, k := range []string{"{a}:series:20240301", "checkpoint:g:t:0", "active"} {
		r.c.Set(ctx, r.cfg.Prefix+k, "old run", 0)
	}
	n, err := r.Clear(ctx)
	if err != nil || n != 3 {
		t.Fatalf("Clear: got %d, %v; want 3 keys deleted", n, err)
	}
	if left := r.c.Keys(ctx, r.cfg.Prefix+"*").Val(); len(left) != 0 {
		t.Errorf("keys left under the prefix: %v", left)
	}
	if v := outside.c.Get(ctx, outside.cfg.Prefix+"{x}:incident:x.1").Val(); v != "keep" {
		t.Errorf("a key outside the prefix: got %q, want it kept", v)
	}
	for _, live := range []string{DefaultPrefix, "down", ""} {
		if _, err := New(outside.c, Config{Prefix: live}).Clear(ctx); err == nil {
			t.Errorf("Clear under %q: got nil, want a refusal (live keys)", live)
		}
	}
}

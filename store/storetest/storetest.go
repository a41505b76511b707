// Package storetest gives tests a real Redis under a fresh key prefix, the way
// net/http/httptest gives them a server. It imports only store and go-redis.
package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/store"
)

// URL is the Redis the tests run against: $REDIS_URL, default 127.0.0.1:6379/0.
func URL() string {
	if u := os.Getenv("REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

// Open connects to URL under a prefix no other test uses and removes that prefix's
// keys when the test ends. A Redis that does not answer fails the test.
func Open(t testing.TB) *store.Redis {
	t.Helper()
	prefix := fmt.Sprintf("dwtest:%d:", rand.Uint64())
	st, err := store.Open(context.Background(), URL(), store.Config{Prefix: prefix})
	if err != nil {
		t.Fatalf("tests need a real Redis: %v", err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		iter := st.Client().Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			st.Client().Del(ctx, iter.Val())
		}
		st.Close()
	})
	return st
}

// Alerts stores the incidents of alerts and publishes the alerts on the
// store's channel and stream, as a detector with the Redis alert sink does.
func Alerts(ctx context.Context, st *store.Redis, alerts ...downwatch.Alert) error {
	if err := st.Save(ctx, alerts); err != nil {
		return err
	}
	return st.Publish(ctx, alerts)
}

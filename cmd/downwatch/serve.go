package main

import (
	"context"
	"fmt"

	"github.com/downwatch/downwatch/store"
)

func runServe(ctx context.Context, env *cliEnv, args []string) error {
	return fmt.Errorf("serve: not built yet")
}

func startDashboard(ctx context.Context, st *store.Redis, addr string) (string, func(), error) {
	return "", func() {}, fmt.Errorf("dashboard not built yet")
}

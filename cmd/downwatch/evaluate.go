package main

import (
	"context"
	"fmt"
)

func runEvaluate(ctx context.Context, env *cliEnv, args []string) error {
	return fmt.Errorf("evaluate: not built yet")
}

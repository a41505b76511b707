package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/downwatch/downwatch/catalog"
	"github.com/downwatch/downwatch/ingest"
)

// liveFlags are the flags of the live sources (CONTRACT §6).
type liveFlags struct{}

func registerLiveFlags(fs *flag.FlagSet) *liveFlags { return &liveFlags{} }

func liveSource(ctx context.Context, env *cliEnv, name string, lf *liveFlags, cat *catalog.Catalog, c *commonFlags, stateless bool) (ingest.Source, error) {
	return nil, fmt.Errorf("--source %q: not available in this build; use --source file", name)
}

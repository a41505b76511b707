package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// runVersion prints the module version, the commit it was built from (when the
// build recorded one) and the Go version.
func runVersion(_ context.Context, env *cliEnv, args []string) error {
	fs := flags(env, "version", "", "Print the module version, the commit the binary was built from (when the build\nrecorded one: go install and go build do, unless -buildvcs=false) and the Go version.")
	if err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(env.stdout, versionLine())
	return nil
}

// versionLine is "downwatch VERSION (commit REV[, modified]) GOVERSION".
func versionLine() string {
	version, rev, modified := "(devel)", "", false
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	line := "downwatch " + version
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if modified {
			rev += ", modified"
		}
		line += " (commit " + rev + ")"
	}
	return line + " " + runtime.Version()
}

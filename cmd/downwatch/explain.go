package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/downwatch/downwatch"
)

func runExplain(ctx context.Context, env *cliEnv, args []string) error {
	fs := flags(env, "explain", "[--author HANDLE] [--source SRC] [--json] TEXT...",
		`Says which service names, outage phrases and negatives a text contains, and
whether (and as what kind) it would be a mention: "why did my post not match?"`)
	author := fs.String("author", "someone", "author handle (official accounts and news agencies change the kind)")
	source := fs.String("source", "x", "source of the post")
	lang := fs.String("lang", "", "language tag")
	catPath := fs.String("catalog", "", "catalog file that extends the built-in one")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	text := strings.Join(fs.Args(), " ")
	if text == "" {
		fmt.Fprintln(env.stderr, "explain needs a text")
		fs.Usage()
		return errUsage
	}
	var c commonFlags
	c.catalog = *catPath
	_, m, err := c.loadMatcher()
	if err != nil {
		return err
	}
	p := downwatch.Post{ID: "explain", Source: *source, Author: *author, Text: text, Lang: *lang, CreatedAt: time.Now().UTC()}
	ex := m.Explain(&p)
	if *asJSON {
		return writeJSON("-", env.stdout, ex)
	}
	fmt.Fprintln(env.stdout, ex.String())
	return nil
}

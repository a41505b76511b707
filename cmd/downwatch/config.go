package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// One configuration file for every role: `downwatch --config downwatch.yaml ROLE`.
// Every flag of every command has a YAML key, its own name, at the top level
// (shared by every role that has the flag) or under the role's name (that role
// only), and an environment variable DOWNWATCH_NAME (upper case, "-" as "_").
// A flag's value comes from, in order: the command line, the environment, the
// role's section of the file (then the sections in sharedSections: notify reads
// serve's), the file's top level, the default. A list of mappings (serve's
// receiver:) becomes one KEY=VALUE,… line a mapping.
//
//	kafka: kafka-1:9092,kafka-2:9092
//	redis: rediss://redis.internal:6380/0
//	detect:
//	  group: downwatch-detect
//	serve:
//	  http: :8080
//
// A key no command has is an error naming its line; so is a key under a role
// that the role does not have. `downwatch --config FILE config print ROLE`
// prints the values a role would run with, and where each comes from, with
// secrets masked.

// fileConfig is a loaded configuration file.
type fileConfig struct {
	path  string
	top   map[string]configValue
	roles map[string]map[string]configValue
}

type configValue struct {
	value string
	line  int
}

// envPrefix starts the environment variable of every flag.
const envPrefix = "DOWNWATCH_"

func envName(flagName string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// loadConfig reads path and checks every key against the flags the commands
// have (roleFlags: role → its flag names).
func loadConfig(path string, roleFlags map[string][]string) (*fileConfig, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--config: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c := &fileConfig{path: path, top: map[string]configValue{}, roles: map[string]map[string]configValue{}}
	if len(doc.Content) == 0 {
		return c, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: want a mapping of flag names (and role sections) to values", path, root.Line)
	}
	anyRole := func(name string) bool {
		for _, fl := range roleFlags {
			if slices.Contains(fl, name) {
				return true
			}
		}
		return false
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if fl, isRole := roleFlags[k.Value]; isRole && v.Kind == yaml.MappingNode {
			sec := map[string]configValue{}
			for j := 0; j+1 < len(v.Content); j += 2 {
				rk, rv := v.Content[j], v.Content[j+1]
				if !slices.Contains(fl, rk.Value) {
					return nil, fmt.Errorf("%s:%d: unknown key %q under %s (downwatch %s has no --%s)", path, rk.Line, rk.Value, k.Value, k.Value, rk.Value)
				}
				val, err := scalar(path, rv)
				if err != nil {
					return nil, err
				}
				sec[rk.Value] = configValue{val, rk.Line}
			}
			c.roles[k.Value] = sec
			continue
		}
		if !anyRole(k.Value) {
			return nil, fmt.Errorf("%s:%d: unknown key %q (no command has --%s, and it is not a command's section)", path, k.Line, k.Value, k.Value)
		}
		val, err := scalar(path, v)
		if err != nil {
			return nil, err
		}
		c.top[k.Value] = configValue{val, k.Line}
	}
	return c, nil
}

// scalar is a value as a flag would take it: a scalar, a list joined by
// commas (kafka: [a:9092, b:9092]), or a list of mappings (receiver: [{name:
// ops, kind: slack, …}]), each mapping one line of KEY=VALUE pairs.
func scalar(path string, n *yaml.Node) (string, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		return n.Value, nil
	case yaml.SequenceNode:
		var parts []string
		mappings := len(n.Content) > 0 && n.Content[0].Kind == yaml.MappingNode
		for _, e := range n.Content {
			if mappings {
				line, err := pairs(path, e)
				if err != nil {
					return "", err
				}
				parts = append(parts, line)
				continue
			}
			if e.Kind != yaml.ScalarNode {
				return "", fmt.Errorf("%s:%d: a list of plain values only", path, e.Line)
			}
			parts = append(parts, e.Value)
		}
		if mappings {
			return strings.Join(parts, "\n"), nil
		}
		return strings.Join(parts, ","), nil
	}
	return "", fmt.Errorf("%s:%d: want a value or a list of values", path, n.Line)
}

// pairs is a mapping of plain values or lists as "k=v,k=v1,v2" (the form of
// serve --receiver).
func pairs(path string, m *yaml.Node) (string, error) {
	if m.Kind != yaml.MappingNode {
		return "", fmt.Errorf("%s:%d: a list of mappings only", path, m.Line)
	}
	var kv []string
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if v.Kind == yaml.MappingNode || (v.Kind == yaml.SequenceNode && slices.ContainsFunc(v.Content, func(e *yaml.Node) bool { return e.Kind != yaml.ScalarNode })) {
			return "", fmt.Errorf("%s:%d: %s: want a value or a list of values", path, v.Line, k.Value)
		}
		val, err := scalar(path, v)
		if err != nil {
			return "", err
		}
		kv = append(kv, k.Value+"="+val)
	}
	return strings.Join(kv, ","), nil
}

// sharedSections are the other roles' sections a role also reads, after its
// own: `notify test` takes its receivers from serve's.
var sharedSections = map[string][]string{"notify": {"serve"}}

// flagEnvs maps each FlagSet made by flags() to its command's environment, so
// that parse can apply the environment and the configuration file.
var flagEnvs sync.Map // *flag.FlagSet → *cliEnv

// errCollected ends a command run only to learn its flags (collectFlags).
var errCollected = errors.New("flags collected")

// errPrinted ends a command run by `config print`.
var errPrinted = errors.New("configuration printed")

// applyConfig gives every flag not set on the command line its value from the
// environment or the configuration file, and prints the result for `config
// print`.
func applyConfig(fs *flag.FlagSet, env *cliEnv) error {
	onCommandLine := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { onCommandLine[f.Name] = true })
	source := map[string]string{}
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if onCommandLine[f.Name] {
			source[f.Name] = "command line"
			return
		}
		if v, ok := os.LookupEnv(envName(f.Name)); ok {
			if err := fs.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: %w", envName(f.Name), v, err))
			}
			source[f.Name] = envName(f.Name)
			return
		}
		if c := env.config; c != nil {
			var v configValue
			var ok bool
			for _, role := range append([]string{fs.Name()}, sharedSections[fs.Name()]...) {
				if v, ok = c.roles[role][f.Name]; ok {
					break
				}
			}
			if !ok {
				v, ok = c.top[f.Name]
			}
			if ok {
				if err := fs.Set(f.Name, v.value); err != nil {
					errs = append(errs, fmt.Errorf("%s:%d: %s: %q: %w", c.path, v.line, f.Name, v.value, err))
				}
				source[f.Name] = fmt.Sprintf("%s:%d", c.path, v.line)
				return
			}
		}
		source[f.Name] = "default"
	})
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if env.printConfig {
		printConfig(env.stdout, fs, source)
		return errPrinted
	}
	return nil
}

// printConfig writes "name: value  # source" for every flag, secrets masked.
func printConfig(w io.Writer, fs *flag.FlagSet, source map[string]string) {
	fmt.Fprintf(w, "%s:\n", fs.Name())
	fs.VisitAll(func(f *flag.Flag) {
		fmt.Fprintf(w, "  %s: %q  # %s\n", f.Name, maskSecret(f.Name, f.Value.String()), source[f.Name])
	})
}

// maskSecret hides the value of a flag that holds a secret, and the password
// of a URL.
func maskSecret(name, value string) string {
	if value == "" {
		return value
	}
	for _, w := range []string{"password", "token", "secret"} {
		if strings.Contains(name, w) && !strings.HasSuffix(name, "-file") {
			return "***"
		}
	}
	if u, err := url.Parse(value); err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "***")
			return strings.Replace(u.String(), "%2A%2A%2A", "***", 1)
		}
	}
	return value
}

// collectFlags learns every command's flag names by running each with
// --help in collecting mode (parse returns before parsing).
func collectFlags() map[string][]string {
	out := map[string][]string{}
	for _, c := range commands() {
		env := &cliEnv{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, collect: out}
		c.run(context.Background(), env, []string{"--help"})
	}
	return out
}

// runConfig is `downwatch config print ROLE [flags]`.
func runConfig(ctx context.Context, env *cliEnv, args []string) error {
	if len(args) < 2 || args[0] != "print" {
		fmt.Fprintln(env.stderr, "Usage: downwatch [--config FILE] config print ROLE [ROLE's flags]\n\nPrints the value every flag of ROLE would have, and where it comes from\n(command line, DOWNWATCH_… environment, the file and line, or the default), secrets masked.")
		if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
			return flag.ErrHelp
		}
		return errUsage
	}
	for _, c := range commands() {
		if c.name == args[1] && c.name != "config" {
			penv := *env
			penv.printConfig = true
			if err := c.run(ctx, &penv, args[2:]); err != nil && !errors.Is(err, errPrinted) {
				return err
			}
			return nil
		}
	}
	return fmt.Errorf("unknown command %q", args[1])
}

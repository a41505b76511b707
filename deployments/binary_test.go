package deployments

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	binDir    string
)

// TestMain removes the binary the tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// downwatch builds cmd/downwatch of the main module (the parent folder) once and
// returns the binary's path.
func downwatch(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "downwatch-deployments-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "downwatch")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/downwatch")
		cmd.Dir = ".."
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = err
			binPath = string(out)
		}
	})
	if buildErr != nil {
		t.Fatalf("building cmd/downwatch: %v\n%s", buildErr, binPath)
	}
	return binPath
}

// usage returns `downwatch ROLE --help`, failing when ROLE is no subcommand.
func usage(t *testing.T, role string) string {
	t.Helper()
	out, err := exec.Command(downwatch(t), role, "--help").CombinedOutput()
	if err != nil {
		t.Fatalf("`downwatch %s --help`: %v\n%s", role, err, out)
	}
	return string(out)
}

// hasFlag reports whether a usage text lists -name (as the flag package prints it).
func hasFlag(usage, name string) bool {
	return strings.Contains(usage, "\n  -"+name+" ") || strings.Contains(usage, "\n  -"+name+"\n")
}

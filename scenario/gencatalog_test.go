package scenario_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/downwatch/downwatch/catalog"
	"github.com/downwatch/downwatch/scenario"
)

func TestWriteScaleCatalog(t *testing.T) {
	var a, b bytes.Buffer
	if err := scenario.WriteScaleCatalog(&a, 40); err != nil {
		t.Fatal(err)
	}
	if err := scenario.WriteScaleCatalog(&b, 40); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two catalogs of 40 services differ; want the same bytes for the same n")
	}
	path := filepath.Join(t.TempDir(), "gen.yaml")
	if err := os.WriteFile(path, a.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Load(path)
	if err != nil {
		t.Fatalf("load the generated catalog: %v", err)
	}
	for _, id := range []string{"gen-00000", "gen-00039", "whatsapp"} {
		if _, ok := cat.Service(id); !ok {
			t.Errorf("generated catalog has no service %s", id)
		}
	}
	if _, ok := cat.Service(fmt.Sprintf("gen-%05d", 40)); ok {
		t.Error("generated catalog of 40 services has gen-00040")
	}
	s, _ := cat.Service("gen-00007")
	if len(s.Names) != 2 || len(s.Aliases) != 1 || len(s.Hashtags) != 1 || len(s.Official) != 1 {
		t.Errorf("gen-00007 = %+v; want two names, an alias, a hashtag and an official handle", s)
	}
}

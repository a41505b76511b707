package scenario

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
)

// realFS holds the NAB realTweets corpus (realdata/README.md): read-only data, compiled
// in, so that the suite and the real-data test work from a clone or an installed binary.
//
//go:embed realdata/nab
var realFS embed.FS

// realRoot is the corpus inside realFS.
func realRoot() fs.FS {
	sub, err := fs.Sub(realFS, "realdata/nab")
	if err != nil {
		panic("scenario: embedded real data: " + err.Error()) // the path is a constant
	}
	return sub
}

// RealData returns the NAB realTweets corpus embedded in the package: five series of
// Twitter mention volume with their labelled windows and NAB's cost profiles.
func RealData() (*NAB, error) { return LoadNAB(realRoot()) }

// RealSeries lists the names of the embedded series, e.g. "Twitter_volume_AAPL.csv".
func RealSeries() []string {
	ents, _ := fs.ReadDir(realRoot(), NABCorpus)
	var out []string
	for _, e := range ents {
		if n := e.Name(); path.Ext(n) == ".gz" {
			out = append(out, n[:len(n)-len(".gz")])
		}
	}
	slices.Sort(out)
	return out
}

// realSeries reads one embedded series (without its labels: the scenarios never see them).
func realSeries(name string) (*NABFile, error) {
	f := &NABFile{Name: name, Key: NABCorpus + "/" + name, path: path.Join(NABCorpus, name+".gz")}
	if !slices.Contains(RealSeries(), name) {
		return nil, fmt.Errorf("%w: no real series %q; there are %v", ErrInvalid, name, RealSeries())
	}
	if err := f.read(realRoot()); err != nil {
		return nil, err
	}
	return f, nil
}

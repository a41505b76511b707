package catalog

import "golang.org/x/text/unicode/norm"

// normalizeWhole is normalize with NFKC applied to the whole string at once,
// the reference for the segment-wise fast path.
func (n *normalizer) normalizeWhole(s string) []byte {
	return n.normalize(norm.NFKC.String(s))
}

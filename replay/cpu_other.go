//go:build !unix

package replay

import "time"

// cpuTime is 0: this platform's processor time is not read.
func cpuTime() time.Duration { return 0 }

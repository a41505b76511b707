package detect

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"math"

	"github.com/downwatch/downwatch"
)

// The first release checkpointed the detector as gob of its internals, with no
// version. decodeLegacy reads those checkpoints into today's state: the counts
// and the open episode carry over; the old baseline (one running level, its
// variance and an hour-of-day profile) becomes the level, hour-of-day profile
// and spread of today's, with no weekday factor yet and no past episodes.

type legacyState struct {
	Clock, Closed, First int64
	Ahead                int
	Keys                 map[string]*legacySignal
	Svcs                 map[string]*legacyService
}

type legacySignal struct {
	Service, Country string
	T                legacyTracker
	Seen, Texts      map[uint64]int64
}

type legacyTracker struct {
	Counts     [ringSize]int32
	Starts     [ringSize]int64
	Base       legacyBaseline
	Open       bool
	OpenedAt   int64
	Peak       int32
	QuietRun   int
	QuietStart int64
	Suspect    int
}

type legacyBaseline struct {
	N         int64
	Mean, Var float64
	Tod       [24]float64
	TodN      [24]int32
}

type legacyService struct {
	Inc          *incident
	Countries    []string
	PromoteCheck int64
	LastID       string
	PendingAck   *downwatch.Post
	Recent       []downwatch.Post
}

func decodeLegacy(b []byte) (state, error) {
	var old legacyState
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&old); err != nil {
		return state{}, fmt.Errorf("%w: neither version %d nor a first-release checkpoint: %v", ErrCheckpoint, checkpointVersion, err)
	}
	st := state{Clock: old.Clock, Ahead: old.Ahead, Closed: old.Closed, First: old.First,
		Keys: map[string]*signal{}, Svcs: map[string]*service{}}
	for key, o := range old.Keys {
		s := &signal{Service: o.Service, Country: o.Country, Seen: stampsOfMap(o.Seen), Texts: stampsOfMap(o.Texts)}
		s.T = o.T.convert()
		st.Keys[key] = s
	}
	for id, o := range old.Svcs {
		st.Svcs[id] = &service{Inc: o.Inc, Countries: o.Countries, PromoteCheck: o.PromoteCheck,
			LastID: o.LastID, PendingAck: o.PendingAck, Recent: o.Recent}
	}
	return st, nil
}

func (o *legacyTracker) convert() tracker {
	var t tracker
	for _, b := range o.Starts {
		t.Head = max(t.Head, b)
	}
	for i, b := range o.Starts {
		if b > t.Head-ringSize && b <= t.Head {
			t.Counts[b&(ringSize-1)] = o.Counts[i]
		}
	}
	ob := &o.Base
	bs := &t.Base
	bs.N, bs.Mean, bs.Num, bs.Den = ob.N, ob.Mean, ob.Mean, 1
	bs.Events = ob.Mean * float64(ob.N)
	for i, v := range ob.Tod {
		bs.Hod[i] = float32(v)
	}
	bs.HodN = ob.TodN
	if ob.Mean > 0 && ob.N > 0 {
		a := math.Max(0, (ob.Var-ob.Mean)/(ob.Mean*ob.Mean))
		for i := range bs.Disp {
			bs.Disp[i] = spread{Num: float32(a), Den: 1, N: ob.N}
		}
	}
	t.Open, t.Alarmed, t.OpenedAt, t.Onset = o.Open, o.Open, o.OpenedAt, o.OpenedAt
	t.Peak, t.QuietRun, t.QuietStart, t.Suspect = o.Peak, o.QuietRun, o.QuietStart, o.Suspect
	return t
}

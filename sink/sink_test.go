package sink

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/store/storetest"
)

// record is a sink that notes what it got, and fails when err is set.
type record struct {
	name string
	log  *[]string
	err  error
}

func (r record) Publish(_ context.Context, as []downwatch.Alert) error {
	for _, a := range as {
		*r.log = append(*r.log, fmt.Sprintf("%s:%s@%d", r.name, a.Incident.ID, a.Incident.Revision))
	}
	return r.err
}

func TestListPublishesToEachSinkInOrder(t *testing.T) {
	alerts := []downwatch.Alert{
		{Type: downwatch.AlertOpened, Incident: downwatch.Incident{ID: "slack.1", Revision: 1}},
		{Type: downwatch.AlertUpdated, Incident: downwatch.Incident{ID: "slack.1", Revision: 2}},
	}
	broken := errors.New("broker down")
	for _, tc := range []struct {
		name    string
		failAt  int // 0: none; else the sink (1-based) that fails
		want    string
		wantErr error
	}{
		{"all take it", 0, "[a:slack.1@1 a:slack.1@2 b:slack.1@1 b:slack.1@2 c:slack.1@1 c:slack.1@2]", nil},
		{"the second fails: the third is not tried", 2, "[a:slack.1@1 a:slack.1@2 b:slack.1@1 b:slack.1@2]", broken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var log []string
			var l List
			for i, n := range []string{"a", "b", "c"} {
				s := record{name: n, log: &log}
				if i+1 == tc.failAt {
					s.err = broken
				}
				l = append(l, s)
			}
			err := l.Publish(context.Background(), alerts)
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("got error %v, want %v", err, tc.wantErr)
			}
			if got := fmt.Sprint(log); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
	var log []string
	if err := (List{record{name: "a", log: &log}}).Publish(context.Background(), nil); err != nil || len(log) != 0 {
		t.Errorf("no alerts: got %v and %v, want nothing published", log, err)
	}
}

func TestOpenChoosesTheSinks(t *testing.T) {
	st := storetest.Open(t)
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"none", Config{}, "[]"},
		{"redis", Config{Redis: st}, "[*store.Redis]"},
		{"kafka", Config{Brokers: []string{"127.0.0.1:1"}}, "[*bus.AlertWriter]"},
		{"both, Redis first", Config{Redis: st, Brokers: []string{"127.0.0.1:1"}}, "[*store.Redis *bus.AlertWriter]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := Open(tc.cfg)
			defer l.Close()
			var types []string
			for _, s := range l {
				types = append(types, fmt.Sprintf("%T", s))
			}
			if got := fmt.Sprint(types); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

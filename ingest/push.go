package ingest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/downwatch/downwatch"
)

// PushConfig configures the HTTP push source. Zero values take the defaults named.
type PushConfig struct {
	// Addr to listen on, e.g. ":8080" or "127.0.0.1:0".
	Addr string
	// Token, when set, is required as "Authorization: Bearer <token>".
	Token string
	// MaxBody bytes of one request; default 8 MiB (413 beyond).
	MaxBody int64
	// Queue is how many good records wait for the pipeline at most; default
	// 10000. A request whose good records can never fit is refused with 413; one
	// that does not fit now (the queue is full, e.g. while Kafka is down) is
	// refused whole with 503 and Retry-After. Rejected lines take no room.
	Queue int
	// RetryAfter sent with 503; default 1s.
	RetryAfter time.Duration
	// Probes, when set, answers GET /livez, /readyz and /healthz (the process's
	// health, Kafka included); default a /healthz that answers 200.
	Probes http.Handler
	// OnListen, when set, is called with the address once listening.
	OnListen func(addr net.Addr)
	Logger   *slog.Logger
}

// Push is the HTTP push source: clients POST /v1/posts with one JSON Post, or
// NDJSON (one Post per line). Good records are queued and the answer is 200
// {"accepted":n,"rejected":[{"line":i,"reason":"..."}]}; when no record is good,
// 400 with the same body. The queue is bounded and holds good records only: a
// request with more good records than the queue holds gets 413 naming the limit;
// when a request's good records do not fit now, none of them is queued and the
// answer is 503 with Retry-After, so a client can resend the request as is
// (429 is left for rate limits, which this endpoint does not impose). Rejected
// lines are dead-lettered through a queue of their own; when that is full they
// are only counted (the client has their reasons). GET /healthz answers 200.
//
// Delivery: a 200 means the records are queued in this process. While Kafka is
// down the pipeline stops reading, the queue fills and new requests get 503, so
// nothing answered 200 is dropped for an outage. When the pipeline stops, the
// server closes first and the records still queued are produced (Drain); only a
// Kafka outage longer than the pipeline's DrainTimeout at shutdown loses them.
type Push struct {
	cfg     PushConfig
	q       chan readResult
	rejects chan readResult
	// DroppedRejects counts rejected lines not dead-lettered (their queue was full).
	DroppedRejects atomic.Int64
	mu             sync.Mutex // serialises reservations of queue space
	srv            *http.Server
	ln             net.Listener
	served         chan struct{}
}

// NewPush returns a push source; it listens on Connect.
func NewPush(cfg PushConfig) (*Push, error) {
	if cfg.Addr == "" {
		return nil, fatalf("--source http needs --listen ADDR, e.g. --listen :8080")
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 8 << 20
	}
	if cfg.Queue <= 0 {
		cfg.Queue = 10000
	}
	if cfg.RetryAfter <= 0 {
		cfg.RetryAfter = time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Push{cfg: cfg, q: make(chan readResult, cfg.Queue), rejects: make(chan readResult, min(cfg.Queue, 1024))}, nil
}

// SetProbes makes h answer GET /livez, /readyz and /healthz (see PushConfig.Probes).
// Call it before Connect.
func (p *Push) SetProbes(h http.Handler) { p.cfg.Probes = h }

// Name implements Source.
func (p *Push) Name() string { return "http" }

// Handler returns the HTTP handler (also usable inside another server).
func (p *Push) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/posts", p.posts)
	if p.cfg.Probes != nil {
		for _, path := range []string{"GET /livez", "GET /readyz", "GET /healthz"} {
			mux.Handle(path, p.cfg.Probes)
		}
		return mux
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "ok\n")
	})
	return mux
}

// Connect starts listening (once; later calls keep the same listener).
func (p *Push) Connect(ctx context.Context) error {
	if p.srv != nil {
		return nil
	}
	ln, err := net.Listen("tcp", p.cfg.Addr)
	if err != nil {
		return fatalf("--listen %s: %v", p.cfg.Addr, err)
	}
	p.ln = ln
	p.srv = &http.Server{Handler: p.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute}
	p.served = make(chan struct{})
	go func() {
		defer close(p.served)
		if err := p.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			p.cfg.Logger.Error("push server stopped", "err", err)
		}
	}()
	if p.cfg.OnListen != nil {
		p.cfg.OnListen(ln.Addr())
	}
	return nil
}

// Addr returns the listening address (nil before Connect).
func (p *Push) Addr() net.Addr {
	if p.ln == nil {
		return nil
	}
	return p.ln.Addr()
}

// Read implements Source.
func (p *Push) Read(ctx context.Context) (downwatch.Post, error) {
	select {
	case <-ctx.Done():
		return downwatch.Post{}, ctx.Err()
	case r := <-p.q:
		return r.post, r.err
	case r := <-p.rejects:
		return r.post, r.err
	}
}

// Drain implements Drainer: the records still queued, after Close.
func (p *Push) Drain(yield func(downwatch.Post, error) bool) {
	for {
		select {
		case r := <-p.q:
			if !yield(r.post, r.err) {
				return
			}
		case r := <-p.rejects:
			if !yield(r.post, r.err) {
				return
			}
		default:
			return
		}
	}
}

// Close stops the server, waiting up to 5s for requests in flight.
func (p *Push) Close(ctx context.Context) error {
	if p.srv == nil {
		return nil
	}
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	err := p.srv.Shutdown(sctx)
	<-p.served
	p.srv = nil
	return err
}

type pushReject struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
	Detail string `json:"detail,omitempty"`
}

type pushAnswer struct {
	Accepted int          `json:"accepted"`
	Rejected []pushReject `json:"rejected"`
	Error    string       `json:"error,omitempty"`
}

func (p *Push) answer(w http.ResponseWriter, code int, a pushAnswer) {
	if a.Rejected == nil {
		a.Rejected = []pushReject{}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(a)
}

func (p *Push) posts(w http.ResponseWriter, r *http.Request) {
	if p.cfg.Token != "" {
		got, ok := bytes.CutPrefix([]byte(r.Header.Get("Authorization")), []byte("Bearer "))
		if !ok || subtle.ConstantTimeCompare(got, []byte(p.cfg.Token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="downwatch"`)
			p.answer(w, http.StatusUnauthorized, pushAnswer{Error: "missing or wrong bearer token (see --push-token / DOWNWATCH_PUSH_TOKEN)"})
			return
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, p.cfg.MaxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			p.answer(w, http.StatusRequestEntityTooLarge, pushAnswer{Error: fmt.Sprintf("body over %d bytes; split it into smaller batches", p.cfg.MaxBody)})
			return
		}
		p.answer(w, http.StatusBadRequest, pushAnswer{Error: "reading body: " + err.Error()})
		return
	}
	good, rejected := decodePushBody(body)
	if len(good) == 0 && len(rejected) == 0 {
		p.answer(w, http.StatusBadRequest, pushAnswer{Error: "empty body: send one JSON post or NDJSON lines"})
		return
	}
	if len(good) > cap(p.q) {
		p.answer(w, http.StatusRequestEntityTooLarge, pushAnswer{Error: fmt.Sprintf("%d good records in one request can never fit: the limit is %d records; split the request", len(good), cap(p.q))})
		return
	}
	// Reserve room for all good records, or refuse them all. Only handlers send
	// and they hold mu, so free room can only grow while we hold it.
	p.mu.Lock()
	if cap(p.q)-len(p.q) < len(good) {
		p.mu.Unlock()
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(p.cfg.RetryAfter.Round(time.Second)/time.Second))))
		p.answer(w, http.StatusServiceUnavailable, pushAnswer{Error: fmt.Sprintf("ingest queue is full for now (%d of %d records waiting, e.g. while Kafka is down); nothing was accepted, resend the request after Retry-After", len(p.q), cap(p.q))})
		return
	}
	for _, post := range good {
		p.q <- readResult{post: post}
	}
	p.mu.Unlock()
	for _, rj := range rejected {
		select {
		case p.rejects <- readResult{err: &downwatch.RejectError{Reason: rj.Reason, Detail: fmt.Sprintf("push line %d: %s", rj.Line, rj.Detail)}}:
		default:
			p.DroppedRejects.Add(1)
		}
	}
	code := http.StatusOK
	if len(good) == 0 {
		code = http.StatusBadRequest
	}
	p.answer(w, code, pushAnswer{Accepted: len(good), Rejected: rejected})
}

// decodePushBody reads one JSON post (possibly over several lines) or NDJSON.
func decodePushBody(body []byte) ([]downwatch.Post, []pushReject) {
	var good []downwatch.Post
	var rejected []pushReject
	add := func(line int, rec []byte) {
		post, err := downwatch.DecodePost(rec)
		if err != nil {
			var re *downwatch.RejectError
			if errors.As(err, &re) {
				rejected = append(rejected, pushReject{Line: line, Reason: re.Reason, Detail: re.Detail})
			} else {
				rejected = append(rejected, pushReject{Line: line, Reason: "bad-record", Detail: err.Error()})
			}
			return
		}
		good = append(good, post)
	}
	// One pretty-printed JSON object is one record.
	if t := bytes.TrimSpace(body); len(t) > 0 && t[0] == '{' && bytes.Count(t, []byte("\n")) > 0 && json.Valid(t) {
		add(1, t)
		return good, rejected
	}
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 0, 64<<10), len(body)+1)
	for line := 1; sc.Scan(); line++ {
		rec := bytes.TrimSpace(sc.Bytes())
		if len(rec) == 0 {
			continue
		}
		add(line, rec)
	}
	return good, rejected
}

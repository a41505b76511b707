package main

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

func TestServeMetrics(t *testing.T) {
	var errb bytes.Buffer
	reg, addr, stop, err := serveMetrics(&cliEnv{stderr: &errb}, "127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "downwatch_test_total", Help: "t"})
	reg.MustRegister(c)
	c.Add(3)
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "downwatch_test_total 3") {
		t.Errorf("metrics page lacks the counter:\n%.500s", body)
	}
	if !strings.Contains(errb.String(), addr) {
		t.Errorf("the bound address is not printed: %q", errb.String())
	}
	if reg, _, stop, err := serveMetrics(&cliEnv{stderr: &errb}, "", nil); reg != nil || err != nil {
		t.Errorf("no address: got %v, %v; want nothing served", reg, err)
	} else {
		stop()
	}
}

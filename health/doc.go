// Package health holds what every long-running downwatch process uses to ride out
// a dependency that stops answering: a capped, jittered backoff that resets on
// success, a Waiter that logs "waiting for X" once per outage instead of once per
// attempt, and a Health registry that serves /livez, /readyz and /healthz and
// exports each dependency's state as a Prometheus gauge.
//
// It imports only the standard library and the Prometheus client.
package health

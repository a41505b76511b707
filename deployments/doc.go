// Package deployments holds no code: it is the Go module whose tests check the
// deployment files beside it (Kubernetes manifests under k8s/, Prometheus rules and
// a Grafana dashboard under monitoring/) against the downwatch binary they run. It
// is its own module so the Kubernetes API types and Kustomize stay out of the main
// module's build and `go test ./...`; run its tests with
//
//	cd deployments && go test ./...
package deployments

// Package secure reads what a secured connection needs: a TLS configuration from
// PEM files, and secrets from a file or the environment, so that no secret has to
// sit on a command line. It imports only the standard library; bus and store
// build their clients' TLS from it.
package secure

package secure

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
)

// TLSFiles names the PEM files of a TLS client. The zero value means "no TLS".
type TLSFiles struct {
	// CA is a PEM bundle of the certificate authorities to trust; "" trusts the
	// system's roots.
	CA string
	// Cert and Key are the client certificate and its private key, for servers
	// that ask for one (mutual TLS); both or neither.
	Cert, Key string
	// ServerName checks the server's certificate for this name instead of the
	// host dialled.
	ServerName string
	// InsecureSkipVerify accepts any server certificate. For tests against a
	// self-signed server only: it gives up all protection against a man in the
	// middle.
	InsecureSkipVerify bool
}

// Enabled reports whether any TLS setting is given.
func (f TLSFiles) Enabled() bool {
	return f.CA != "" || f.Cert != "" || f.Key != "" || f.ServerName != "" || f.InsecureSkipVerify
}

// Config reads the files into a client TLS configuration (TLS 1.2 at least).
// It returns nil, nil when no setting is given.
func (f TLSFiles) Config() (*tls.Config, error) {
	if !f.Enabled() {
		return nil, nil
	}
	c := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: f.ServerName, InsecureSkipVerify: f.InsecureSkipVerify}
	if f.CA != "" {
		pem, err := os.ReadFile(f.CA)
		if err != nil {
			return nil, fmt.Errorf("secure: read CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("secure: CA file %s holds no PEM certificate", f.CA)
		}
		c.RootCAs = pool
	}
	if (f.Cert == "") != (f.Key == "") {
		return nil, errors.New("secure: a client certificate needs both its certificate and its key file")
	}
	if f.Cert != "" {
		pair, err := tls.LoadX509KeyPair(f.Cert, f.Key)
		if err != nil {
			return nil, fmt.Errorf("secure: load client certificate %s and key %s: %w", f.Cert, f.Key, err)
		}
		c.Certificates = []tls.Certificate{pair}
	}
	return c, nil
}

// Secret returns the secret read from file when file is set (one trailing line
// break trimmed), else the value of the environment variable env (which may be
// "", meaning none). getenv is os.Getenv outside tests. The error names the file
// but never holds the secret.
func Secret(file, env string, getenv func(string) string) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("secure: read secret file: %w", err)
		}
		s := strings.TrimRight(string(b), "\r\n")
		if s == "" {
			return "", fmt.Errorf("secure: secret file %s is empty", file)
		}
		return s, nil
	}
	if env == "" || getenv == nil {
		return "", nil
	}
	return getenv(env), nil
}

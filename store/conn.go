package store

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/downwatch/downwatch/health"
	"github.com/downwatch/downwatch/secure"
)

// Conn says how Open and Dial reach Redis beyond what the URL says. The zero
// value takes everything from the URL.
type Conn struct {
	// User and Password log in (AUTH); when set they replace the URL's.
	User, Password string
	// TLS, when any file or name is set, turns TLS on (as rediss:// does) with
	// this CA, client certificate and server name.
	TLS secure.TLSFiles
	// SentinelMaster and Sentinels reach a Redis watched by Sentinel: the master
	// of that name, found through these host:port sentinel addresses. The URL's
	// host is then not dialled; its database, user and password still apply.
	SentinelMaster string
	Sentinels      []string
}

// Dial returns a store for url without checking that Redis answers, and the
// address it names (for messages). See Open for the URLs it takes.
func Dial(url string, cfg Config) (*Redis, string, error) {
	opt, err := universalOptions(url)
	if err != nil {
		return nil, "", err
	}
	if err := cfg.Conn.apply(opt); err != nil {
		return nil, "", err
	}
	addr := strings.Join(opt.Addrs, ",")
	if opt.MasterName != "" {
		addr = fmt.Sprintf("master %s via sentinels %s", opt.MasterName, addr)
	}
	r := New(redis.NewUniversalClient(opt), cfg)
	r.addr = addr
	return r, addr, nil
}

// universalOptions reads a redis://, rediss://, redis+cluster:// or bare
// host:port URL into go-redis's universal options.
func universalOptions(url string) (*redis.UniversalOptions, error) {
	if strings.HasPrefix(url, "redis+cluster://") || strings.HasPrefix(url, "rediss+cluster://") {
		c, err := ParseClusterURL(url)
		if err != nil {
			return nil, err
		}
		return &redis.UniversalOptions{
			Addrs: c.Addrs, IsClusterMode: true, ClientName: c.ClientName, Protocol: c.Protocol,
			Username: c.Username, Password: c.Password, TLSConfig: c.TLSConfig,
			MaxRetries: c.MaxRetries, DialTimeout: c.DialTimeout, ReadTimeout: c.ReadTimeout, WriteTimeout: c.WriteTimeout,
			PoolSize: c.PoolSize, MinIdleConns: c.MinIdleConns, PoolTimeout: c.PoolTimeout, ConnMaxIdleTime: c.ConnMaxIdleTime,
		}, nil
	}
	o, err := ParseURL(url)
	if err != nil {
		return nil, err
	}
	return &redis.UniversalOptions{
		Addrs: []string{o.Addr}, DB: o.DB, ClientName: o.ClientName, Protocol: o.Protocol,
		Username: o.Username, Password: o.Password, TLSConfig: o.TLSConfig,
		MaxRetries: o.MaxRetries, DialTimeout: o.DialTimeout, ReadTimeout: o.ReadTimeout, WriteTimeout: o.WriteTimeout,
		PoolSize: o.PoolSize, MinIdleConns: o.MinIdleConns, PoolTimeout: o.PoolTimeout, ConnMaxIdleTime: o.ConnMaxIdleTime,
	}, nil
}

// apply lays c over the options read from the URL.
func (c Conn) apply(opt *redis.UniversalOptions) error {
	if c.User != "" {
		opt.Username = c.User
	}
	if c.Password != "" {
		opt.Password = c.Password
	}
	if (c.SentinelMaster == "") != (len(c.Sentinels) == 0) {
		return errors.New("store: Redis Sentinel needs both --redis-sentinel-master and --redis-sentinels")
	}
	if c.SentinelMaster != "" {
		if opt.IsClusterMode {
			return errors.New("store: Redis Sentinel and a redis+cluster:// URL exclude each other: give one")
		}
		opt.MasterName, opt.Addrs = c.SentinelMaster, c.Sentinels
	}
	t, err := c.TLS.Config()
	if err != nil {
		return fmt.Errorf("store: Redis TLS: %w", err)
	}
	if t == nil {
		return nil
	}
	if t.ServerName == "" && opt.TLSConfig != nil {
		t.ServerName = opt.TLSConfig.ServerName // rediss:// names the host
	}
	if t.ServerName == "" && len(opt.Addrs) == 1 && opt.MasterName == "" {
		t.ServerName, _, _ = net.SplitHostPort(opt.Addrs[0])
	}
	opt.TLSConfig = t
	return nil
}

// explain turns a refused login or an untrusted certificate into one line that
// says what to check, marked permanent (retrying cannot fix it); other errors
// are returned as they are. It never holds the password.
func explain(addr string, err error) error {
	msg := err.Error()
	if strings.Contains(msg, "WRONGPASS") || strings.Contains(msg, "NOAUTH") || strings.Contains(msg, "invalid password") {
		return health.Permanent(fmt.Errorf("store: Redis at %s refused the login (%s): check --redis-user and the password (--redis-password-file, DOWNWATCH_REDIS_PASSWORD or the --redis URL)", addr, firstWord(msg)))
	}
	var cv *tls.CertificateVerificationError
	if errors.As(err, &cv) {
		return health.Permanent(fmt.Errorf("store: the TLS certificate of Redis at %s is not trusted (%v): check --redis-tls-ca and --redis-tls-server-name", addr, cv.Err))
	}
	return err
}

func firstWord(s string) string {
	if i := strings.IndexAny(s, " \n"); i > 0 {
		return s[:i]
	}
	return s
}

// pingExplained pings, explaining a refused login or certificate.
func (r *Redis) pingExplained(ctx context.Context, addr string) error {
	if err := r.c.Ping(ctx).Err(); err != nil {
		if e := explain(addr, err); e != err {
			return e
		}
		return fmt.Errorf("store: Redis at %s does not answer (is redis-server running?): %w", addr, err)
	}
	return nil
}

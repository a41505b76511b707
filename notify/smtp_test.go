package notify

import (
	"bufio"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// smtpServer speaks just enough SMTP (RFC 5321) on a local listener to take
// mail: EHLO (offering AUTH PLAIN), AUTH PLAIN, MAIL, RCPT, DATA, RSET, QUIT.
// It records every accepted mail and checks the client's side of the protocol
// as a real server would (a command out of order is answered 503).
type smtpServer struct {
	ln    net.Listener
	Addr  string
	mu    sync.Mutex
	mails []smtpMail
	seen  chan smtpMail
	// reject, when set, is the reply to every RCPT (e.g. "450 4.2.0 mailbox busy").
	reject string
	// tls, when set, is offered as STARTTLS.
	tls *tls.Config
}

type smtpMail struct {
	tls      bool   // the session was upgraded with STARTTLS before MAIL
	authTLS  bool   // AUTH came over TLS
	auth     string // "user\x00password" from AUTH PLAIN, "" without
	from     string
	to       []string
	data     string // as received, CRLF line ends, dot-stuffing undone
	rawLines []string
}

func newSMTPServer(t *testing.T) *smtpServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{ln: ln, Addr: ln.Addr().String(), seen: make(chan smtpMail, 100)}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.session(c)
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return s
}

func (s *smtpServer) session(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	say := func(line string) { fmt.Fprintf(c, "%s\r\n", line) }
	say("220 test.local ESMTP ready")
	var m smtpMail
	helo := false
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		if !strings.HasSuffix(line, "\r\n") {
			say("500 5.5.2 lines end in CRLF")
			return
		}
		line = strings.TrimSuffix(line, "\r\n")
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			helo = true
			say("250-test.local")
			say("250-8BITMIME")
			if s.tls != nil && !m.tls {
				say("250-STARTTLS")
			}
			say("250 AUTH PLAIN")
		case "STARTTLS":
			if s.tls == nil || m.tls {
				say("502 5.5.1 no STARTTLS here")
				continue
			}
			say("220 2.0.0 ready to start TLS")
			tc := tls.Server(c, s.tls)
			if err := tc.Handshake(); err != nil {
				return
			}
			c, r, helo = tc, bufio.NewReader(tc), false // RFC 3207: the client starts over with EHLO
			m.tls = true
		case "AUTH":
			mech, resp, _ := strings.Cut(arg, " ")
			b, err := base64.StdEncoding.DecodeString(resp)
			if mech != "PLAIN" || err != nil || !helo {
				say("504 5.5.4 unrecognized authentication")
				continue
			}
			parts := strings.Split(string(b), "\x00") // authzid, user, password
			if len(parts) != 3 {
				say("501 5.5.2 malformed PLAIN response")
				continue
			}
			m.auth, m.authTLS = parts[1]+"\x00"+parts[2], m.tls
			say("235 2.7.0 authenticated")
		case "MAIL":
			if !helo || !strings.HasPrefix(strings.ToUpper(arg), "FROM:<") {
				say("503 5.5.1 EHLO first, then MAIL FROM:<address>")
				continue
			}
			m.from = angle(arg) // parameters such as BODY=8BITMIME follow the address
			say("250 2.1.0 ok")
		case "RCPT":
			if m.from == "" || !strings.HasPrefix(strings.ToUpper(arg), "TO:<") {
				say("503 5.5.1 MAIL first, then RCPT TO:<address>")
				continue
			}
			if s.reject != "" {
				say(s.reject)
				continue
			}
			m.to = append(m.to, angle(arg))
			say("250 2.1.5 ok")
		case "DATA":
			if len(m.to) == 0 {
				say("503 5.5.1 RCPT first")
				continue
			}
			say("354 end data with <CR><LF>.<CR><LF>")
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				m.rawLines = append(m.rawLines, l)
				data.WriteString(strings.TrimPrefix(l, "."))
			}
			m.data = data.String()
			s.mu.Lock()
			s.mails = append(s.mails, m)
			n := len(s.mails)
			s.mu.Unlock()
			s.seen <- m
			say(fmt.Sprintf("250 2.0.0 Ok: queued as TEST%d", n))
			m = smtpMail{auth: m.auth, tls: m.tls, authTLS: m.authTLS}
		case "RSET":
			m = smtpMail{auth: m.auth, tls: m.tls, authTLS: m.authTLS}
			say("250 2.0.0 ok")
		case "QUIT":
			say("221 2.0.0 bye")
			return
		default:
			say("502 5.5.2 command not recognized")
		}
	}
}

// angle is the address between < and > of a MAIL or RCPT argument.
func angle(arg string) string {
	_, rest, _ := strings.Cut(arg, "<")
	addr, _, _ := strings.Cut(rest, ">")
	return addr
}

func (s *smtpServer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.mails)
}

func (s *smtpServer) wait(t *testing.T) smtpMail {
	t.Helper()
	select {
	case m := <-s.seen:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no mail within 10s")
		return smtpMail{}
	}
}

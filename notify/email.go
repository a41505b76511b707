package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"

	"github.com/downwatch/downwatch"
)

// Email: a plain-text mail over SMTP (net/smtp), one per alert to every
// address of Email.To:
//
//	From: downwatch <downwatch@example.com>
//	To: oncall@example.com
//	Subject: [downwatch] WhatsApp incident opened (global)
//	Date: Tue, 25 Oct 2022 07:08:13 +0000
//	Message-ID: <whatsapp.20221025T0705Z.1.1761398893@downwatch>
//	MIME-Version: 1.0
//	Content-Type: text/plain; charset=utf-8
//	Content-Transfer-Encoding: quoted-printable
//	X-Downwatch-Event: incident.opened
//	X-Downwatch-Delivery: whatsapp.20221025T0705Z@1
//
//	WhatsApp incident opened (global): 58 people complaining, peak 41/min, …
//
// The session is EHLO, STARTTLS when Email.StartTLS (refused if the server
// does not offer it), AUTH PLAIN when a Username is set (net/smtp sends it
// only over TLS or to localhost), MAIL, RCPT for each address, DATA, QUIT. A
// 4xx reply or a network error is retried like a 5xx HTTP answer; a 5xx reply
// is permanent.

// Email says where and how a FormatEmail sink sends mail.
type Email struct {
	// Addr of the SMTP server, host:port (587 for submission with STARTTLS,
	// 25 for a relay). Required.
	Addr string
	// From is the sender address (may carry a name: "downwatch <dw@example.com>"). Required.
	From string
	// To are the recipients. Required: at least one.
	To []string
	// StartTLS requires upgrading the connection with STARTTLS before
	// authenticating or sending; default false (a local relay).
	StartTLS bool
	// TLS configures STARTTLS; default verifies the server's certificate for
	// the host of Addr.
	TLS *tls.Config
	// Username and Password for AUTH PLAIN; no authentication when Username is empty.
	Username, Password string
	// Hello is the name sent in EHLO; default "localhost".
	Hello string
}

func (e *Email) validate() error {
	if e == nil || e.Addr == "" || e.From == "" || len(e.To) == 0 {
		return errors.New("an email receiver needs an SMTP server (host:port), a from address and at least one to address")
	}
	if _, _, err := net.SplitHostPort(e.Addr); err != nil {
		return fmt.Errorf("SMTP server %q: want host:port", e.Addr)
	}
	for _, a := range append([]string{e.From}, e.To...) {
		if _, err := mail.ParseAddress(a); err != nil {
			return fmt.Errorf("mail address %q: %w", a, err)
		}
	}
	return nil
}

// Mail renders an alert as a mail to e.To, dated now; link, when not empty, is
// the incident's dashboard page. Lines end in CRLF.
func Mail(a downwatch.Alert, serviceName, link string, e *Email, now time.Time) []byte {
	var h bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&h, "%s: %s\r\n", k, headerSafe(v)) }
	header("From", addressList([]string{e.From}))
	header("To", addressList(e.To))
	header("Subject", mime.QEncoding.Encode("utf-8", "[downwatch] "+headline(a, serviceName)))
	header("Date", now.Format(time.RFC1123Z))
	header("Message-ID", fmt.Sprintf("<%s.%d.%d@downwatch>", a.Incident.ID, a.Incident.Revision, now.UnixNano()))
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	header(HeaderEvent, a.Type)
	header(HeaderDelivery, DeliveryKey(a))
	if a.Test {
		header("X-Downwatch-Test", "true")
	}
	h.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&h)
	qp.Write([]byte(strings.ReplaceAll(mailText(a, serviceName, link), "\n", "\r\n")))
	qp.Close()
	return h.Bytes()
}

// mailText is the mail's body: the summary, the facts, why, samples, the link.
func mailText(a downwatch.Alert, serviceName, link string) string {
	var b strings.Builder
	b.WriteString(summary(a, serviceName) + "\n\n")
	for _, f := range facts(a.Incident) {
		fmt.Fprintf(&b, "%-12s %s\n", f.name+":", f.value)
	}
	if w := why(a, 280); len(w) > 0 {
		b.WriteString("\n" + strings.Join(w, "\n") + "\n")
	}
	if s := samples(a.Incident, 3, 200); len(s) > 0 {
		b.WriteString("\nWhat people say:\n  " + strings.Join(s, "\n  ") + "\n")
	}
	if link != "" {
		b.WriteString("\n" + link + "\n")
	}
	fmt.Fprintf(&b, "\n-- \ndownwatch alert %s (%s)\n", DeliveryKey(a), a.Type)
	return b.String()
}

// addressList formats addresses for a header, a name with non-ASCII
// characters encoded (RFC 2047).
func addressList(addrs []string) string {
	var out []string
	for _, a := range addrs {
		if p, err := mail.ParseAddress(a); err == nil {
			a = p.String()
		}
		out = append(out, a)
	}
	return strings.Join(out, ", ")
}

// headerSafe removes line breaks, so no value can add a header.
func headerSafe(v string) string {
	return strings.Join(strings.FieldsFunc(v, func(r rune) bool { return r == '\r' || r == '\n' }), " ")
}

// sendMail delivers msg over one SMTP session and returns the server's reply
// to the end of DATA ("250 2.0.0 Ok: queued as …").
func (d *Dispatcher) sendMail(ctx context.Context, s *sink, msg []byte) (string, error) {
	e := s.Email
	answer, code, err := smtpSession(ctx, e, msg)
	result := "error"
	if code > 0 {
		result = fmt.Sprint(code)
	}
	d.m.attempts.WithLabelValues(s.hash, s.receiver, result).Inc()
	return answer, err
}

// smtpSession runs one session; code is the last SMTP reply code (0 if none).
func smtpSession(ctx context.Context, e *Email, msg []byte) (answer string, code int, err error) {
	host, _, _ := net.SplitHostPort(e.Addr)
	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, "tcp", e.Addr)
	if err != nil {
		return "", 0, fmt.Errorf("smtp %s: %w", e.Addr, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return "", replyCode(err), smtpErr("greeting", err)
	}
	defer c.Close()
	if err := c.Hello(or(e.Hello, "localhost")); err != nil {
		return "", replyCode(err), smtpErr("EHLO", err)
	}
	if e.StartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return "", 0, &permanentError{msg: fmt.Sprintf("smtp %s does not offer STARTTLS, which the receiver requires", e.Addr)}
		}
		cfg := e.TLS
		if cfg == nil {
			cfg = &tls.Config{ServerName: host}
		}
		if err := c.StartTLS(cfg); err != nil {
			return "", replyCode(err), smtpErr("STARTTLS", err)
		}
	}
	if e.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", e.Username, e.Password, host)); err != nil {
			var tp *textproto.Error
			if !errors.As(err, &tp) { // net/smtp refuses to send a password in the clear
				return "", 0, &permanentError{msg: fmt.Sprintf("smtp %s: AUTH: %v", e.Addr, err)}
			}
			return "", tp.Code, smtpErr("AUTH", err)
		}
	}
	from, _ := mail.ParseAddress(e.From)
	if err := c.Mail(from.Address); err != nil {
		return "", replyCode(err), smtpErr("MAIL FROM", err)
	}
	for _, to := range e.To {
		addr, _ := mail.ParseAddress(to)
		if err := c.Rcpt(addr.Address); err != nil {
			return "", replyCode(err), smtpErr("RCPT TO "+addr.Address, err)
		}
	}
	code, answer, err = data(c, msg)
	if err != nil {
		return answer, code, smtpErr("DATA", err)
	}
	c.Quit()
	return fmt.Sprintf("%d %s", code, answer), code, nil
}

// data sends DATA and the message, and returns the server's final reply (which
// net/smtp's Data writer would swallow).
func data(c *smtp.Client, msg []byte) (int, string, error) {
	id, err := c.Text.Cmd("DATA")
	if err != nil {
		return 0, "", err
	}
	c.Text.StartResponse(id)
	code, _, err := c.Text.ReadResponse(354)
	c.Text.EndResponse(id)
	if err != nil {
		return code, "", err
	}
	w := c.Text.DotWriter()
	if _, err := w.Write(msg); err != nil {
		return 0, "", err
	}
	if err := w.Close(); err != nil {
		return 0, "", err
	}
	return c.Text.ReadResponse(250)
}

func replyCode(err error) int {
	var tp *textproto.Error
	if errors.As(err, &tp) {
		return tp.Code
	}
	return 0
}

// smtpErr classifies an SMTP failure: a 5xx reply is permanent; a 4xx reply
// and a network error are retried.
func smtpErr(step string, err error) error {
	var tp *textproto.Error
	if errors.As(err, &tp) && tp.Code >= 500 {
		return &permanentError{msg: fmt.Sprintf("smtp %s: %d %s", step, tp.Code, tp.Msg)}
	}
	return fmt.Errorf("smtp %s: %w", step, err)
}

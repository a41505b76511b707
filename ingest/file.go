package ingest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/downwatch/downwatch"
)

// File reads JSONL posts (docs/CONTRACT.md §1) from a file or standard input ("-").
type File struct {
	Path  string
	Stdin io.Reader // used for "-"; default os.Stdin

	f    io.ReadCloser
	r    *bufio.Reader
	line int
	size int64 // bytes in the file, 0 when unknown
	read int64
}

// NewFile returns a source reading path ("-" for stdin).
func NewFile(path string) *File { return &File{Path: path} }

// Name implements Source.
func (f *File) Name() string { return "file" }

// Connect opens the file.
func (f *File) Connect(ctx context.Context) error {
	if f.Path == "-" || f.Path == "" {
		in := f.Stdin
		if in == nil {
			in = os.Stdin
		}
		f.f = io.NopCloser(in)
	} else {
		fh, err := os.Open(f.Path)
		if err != nil {
			return fmt.Errorf("%w (--input takes a JSONL file of posts, or - for stdin)", err)
		}
		if st, err := fh.Stat(); err == nil && st.Mode().IsRegular() {
			f.size = st.Size()
		}
		f.f = fh
	}
	f.r = bufio.NewReaderSize(f.f, 1<<20)
	return nil
}

// Progress returns bytes read and the file's size (0 when unknown).
func (f *File) Progress() (read, size int64) { return f.read, f.size }

// Read returns the next post. A line over the size limit is skipped whole and
// rejected; blank lines are skipped.
func (f *File) Read(ctx context.Context) (downwatch.Post, error) {
	for {
		if err := ctx.Err(); err != nil {
			return downwatch.Post{}, err
		}
		line, tooLong, err := f.readLine()
		if err != nil {
			return downwatch.Post{}, err
		}
		f.line++
		if tooLong {
			return downwatch.Post{}, &downwatch.RejectError{Reason: "too-large", Detail: fmt.Sprintf("line %d is over %d bytes", f.line, downwatch.MaxPostBytes)}
		}
		if len(line) == 0 || isBlank(line) {
			continue
		}
		return decodeFileLine(line, f.line)
	}
}

// decodeFileLine decodes line number num of a file.
func decodeFileLine(line []byte, num int) (downwatch.Post, error) {
	p, err := downwatch.DecodePost(line)
	if err != nil {
		var re *downwatch.RejectError
		if errors.As(err, &re) {
			re.Detail = fmt.Sprintf("line %d: %s", num, re.Detail)
		}
		return downwatch.Post{}, err
	}
	if p.Source == "" {
		p.Source = "file"
	}
	return p, nil
}

// readLines implements rawSource: Read's lines, decoded later by the pipeline.
func (f *File) readLines(ctx context.Context, c *chunk, max int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	for len(c.rs) < max {
		line, tooLong, err := f.readLine()
		if err != nil {
			if errors.Is(err, io.EOF) && len(c.rs) > 0 {
				return nil // EOF again on the next call
			}
			return err
		}
		f.line++
		switch {
		case tooLong:
			c.rs = append(c.rs, readResult{reject: &downwatch.RejectError{Reason: "too-large", Detail: fmt.Sprintf("line %d is over %d bytes", f.line, downwatch.MaxPostBytes)}})
		case len(line) == 0 || isBlank(line):
		default:
			c.addLine(line, f.line)
		}
	}
	return nil
}

// readLine returns the next line without its newline. A line longer than
// MaxPostBytes is consumed and reported as tooLong, never held in memory whole.
func (f *File) readLine() (line []byte, tooLong bool, err error) {
	chunk, err := f.r.ReadSlice('\n')
	f.read += int64(len(chunk))
	if err == nil && len(chunk) <= downwatch.MaxPostBytes+2 {
		// The whole line is in the buffer: no copy. It stays valid until the
		// next read, and every caller is done with it by then.
		return trimEOL(chunk), false, nil
	}
	var buf []byte
	for {
		if len(buf)+len(chunk) > downwatch.MaxPostBytes+2 {
			tooLong = true
			buf = buf[:0]
		} else if !tooLong {
			buf = append(buf, chunk...)
		}
		switch {
		case err == nil:
			return trimEOL(buf), tooLong, nil
		case errors.Is(err, bufio.ErrBufferFull):
		case errors.Is(err, io.EOF):
			if len(buf) == 0 && !tooLong {
				return nil, false, io.EOF
			}
			return trimEOL(buf), tooLong, nil
		default:
			return nil, false, fmt.Errorf("ingest: read input: %w", err)
		}
		chunk, err = f.r.ReadSlice('\n')
		f.read += int64(len(chunk))
	}
}

func trimEOL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' {
			return false
		}
	}
	return true
}

// Close closes the file.
func (f *File) Close(ctx context.Context) error {
	if f.f != nil {
		return f.f.Close()
	}
	return nil
}

package cli

import (
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/tempcreds/tempcreds/internal/redact"
)

// prefix starts every line tempcreds writes on standard error. It is added
// here, by messages, and nowhere else: errors and the texts given to
// messages carry none.
const prefix = "tempcreds: "

// messages prints a run's lines on standard error: errors, warnings (once
// each per run, however many layers report one), information and, with
// --debug, debug lines. Every line is one line (a value never forges one
// of ours) and goes through the one scrubber, whatever it holds.
type messages struct {
	w     io.Writer
	debug bool
	warn  *onceSet // shared by every messages of the run
}

// onceSet remembers the warnings already printed.
type onceSet struct {
	mu   sync.Mutex
	seen map[string]bool
}

// first reports whether msg is new, and remembers it.
func (o *onceSet) first(msg string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.seen[msg] {
		return false
	}
	if o.seen == nil {
		o.seen = map[string]bool{}
	}
	o.seen[msg] = true
	return true
}

func newMessages(w io.Writer) *messages { return &messages{w: w, warn: &onceSet{}} }

// debugging is m printing debug lines when on (a command's --debug).
func (m *messages) debugging(on bool) *messages {
	return &messages{w: m.w, debug: on, warn: m.warn}
}

// Errorf prints an error line.
func (m *messages) Errorf(format string, args ...any) { m.line("", fmt.Sprintf(format, args...)) }

// Infof prints what tempcreds did or is doing.
func (m *messages) Infof(format string, args ...any) { m.line("", fmt.Sprintf(format, args...)) }

// Warnf prints a warning, once per run.
func (m *messages) Warnf(format string, args ...any) { m.Warn(fmt.Sprintf(format, args...)) }

// Warn is Warnf of a finished text (the library's and chain's warnings).
func (m *messages) Warn(msg string) {
	msg = withoutPrefix(msg)
	if m.warn.first(msg) {
		m.line("warning: ", msg)
	}
}

// Debugf prints a debug line under --debug.
func (m *messages) Debugf(format string, args ...any) {
	if m.debug {
		m.line("debug: ", fmt.Sprintf(format, args...))
	}
}

// Debug is Debugf of a finished text (chain's debug lines).
func (m *messages) Debug(msg string) { m.Debugf("%s", msg) }

func (m *messages) line(kind, text string) {
	fmt.Fprintln(m.w, prefix+kind+oneLine(redact.Scrub(withoutPrefix(text))))
}

// withoutPrefix is a text of the library (its errors and warnings still
// start with "tempcreds: ") without it, so that messages adds it once.
func withoutPrefix(text string) string { return strings.TrimPrefix(text, prefix) }

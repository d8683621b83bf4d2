// Package warnlog turns a warning printer (the CLI's, which prints each
// warning once) into the *slog.Logger the library's options take.
package warnlog

import (
	"context"
	"log/slog"
)

// New returns a logger whose records of level Warn and above go to warn as
// their message alone; lower levels are dropped. A nil warn gives nil (the
// library's default logger).
func New(warn func(msg string)) *slog.Logger {
	if warn == nil {
		return nil
	}
	return slog.New(handler{warn: warn})
}

type handler struct{ warn func(string) }

func (h handler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }

func (h handler) Handle(_ context.Context, r slog.Record) error {
	h.warn(r.Message)
	return nil
}

func (h handler) WithAttrs([]slog.Attr) slog.Handler { return h }

func (h handler) WithGroup(string) slog.Handler { return h }

package warnlog

import (
	"slices"
	"testing"
)

func TestOnlyWarningsReachThePrinterAsTheirMessage(t *testing.T) {
	var got []string
	l := New(func(msg string) { got = append(got, msg) })
	l.Debug("debug")
	l.Info("info")
	l.Warn("capped", "k", "v")
	l.With("a", 1).WithGroup("g").Error("failed")
	if want := []string{"capped", "failed"}; !slices.Equal(got, want) {
		t.Errorf("printed %q, want %q", got, want)
	}
	if New(nil) != nil {
		t.Error("New(nil) must be nil, the library's default logger")
	}
}

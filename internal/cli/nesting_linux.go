//go:build linux

package cli

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// tempcredsAncestors counts the processes above this one that run this
// same binary (a helper's supervisor included), up to 64 generations.
func tempcredsAncestors() int {
	self, err := os.Stat("/proc/self/exe")
	if err != nil {
		return 0
	}
	n := 0
	pid := os.Getppid()
	for i := 0; i < 64 && pid > 1; i++ {
		if st, err := os.Stat(fmt.Sprintf("/proc/%d/exe", pid)); err == nil && os.SameFile(st, self) {
			n++
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			break
		}
		// "pid (comm) state ppid ...": comm may hold spaces and parentheses.
		rest := string(b[strings.LastIndexByte(string(b), ')')+1:])
		f := strings.Fields(rest)
		if len(f) < 2 {
			break
		}
		if pid, err = strconv.Atoi(f[1]); err != nil {
			break
		}
	}
	return n
}

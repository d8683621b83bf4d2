package miniotest

import "testing"

func TestProgressLogCountsPackagesAndDownloads(t *testing.T) {
	cases := []struct {
		name                string
		out                 string
		packages, downloads int
		last                string
	}{
		{"empty", "", 0, 0, ""},
		{"downloads only", "go: downloading a v1\ngo: downloading b v2\n", 0, 2, ""},
		{"mixed", "go: downloading a v1\ninternal/goarch\nruntime\ngo: finding module\nio\n", 3, 1, "io"},
		{"partial last line", "runtime\nio", 2, 0, "io"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var p progressLog
			_, _ = p.Write([]byte(c.out))
			n, d, last := p.counts()
			if n != c.packages || d != c.downloads || last != c.last {
				t.Fatalf("counts() = %d, %d, %q; want %d, %d, %q", n, d, last, c.packages, c.downloads, c.last)
			}
		})
	}
}

// Package endpointtest sends the requests tests make to a credentials
// endpoint: a method, a path, an optional Host override and token.
package endpointtest

import (
	"io"
	"net/http"
)

// Do sends method to url with the given Host header (if not empty) and
// Authorization token (if not empty), and returns the status line, the
// status code and up to 1 MiB of the body.
func Do(method, url, host, token string) (status string, code int, body []byte, err error) {
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		return "", 0, nil, err
	}
	if host != "" {
		req.Host = host
	}
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", 0, nil, err
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.Status, resp.StatusCode, body, err
}

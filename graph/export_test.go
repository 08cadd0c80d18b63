package graph

import "net/http"

// HTTPClientForTest exposes the client that carries the bearer token, so
// a test can try to send it elsewhere.
func (c *Client) HTTPClientForTest() *http.Client { return c.http }
